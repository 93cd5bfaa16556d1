// The catalog moved down to the SDK (plugin-infra reads it too); this keeps the plugin's imports as they were.
export * from '@frameworks/sdk/catalog';
