// Background processes on this machine (dev servers): spawn into a log, pid files checked against the
// process start time, whole-group stop, who holds a port, waiting for HTTP, log tails. Linux /proc first.
export * from './proc-info.js';
export * from './port-owner.js';
export * from './background.js';
export * from './group-stop.js';
export * from './pid-file.js';
export * from './http-wait.js';
export * from './log-file.js';
export * from './node-project.js';
