// semver ships no types; these are the two functions the compatibility check uses.
declare module 'semver' {
  const semver: {
    satisfies(version: string, range: string, options?: { includePrerelease?: boolean }): boolean;
    gtr(version: string, range: string, options?: { includePrerelease?: boolean }): boolean;
  };
  export default semver;
}
