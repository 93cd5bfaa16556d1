/**
 * Does a process with this pid exist on this machine? `kill(pid, 0)`; EPERM means it exists under another user.
 * One copy for every lock, temp name and pid file that asks whether its owner still runs (zombies count as alive:
 * processAlive in proc-info.ts tells them apart where /proc exists).
 */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
