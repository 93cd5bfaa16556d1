/** One set of ajv options for the build-time generated validators and the runtime fallback. */
export const AJV_OPTIONS = { allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true } as const;
