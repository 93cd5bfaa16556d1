/** @frameworks/plugin-release: its commands live under src/commands (oclif discovers them); nothing is exported. */
export {};
