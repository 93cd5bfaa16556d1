/**
 * The web interfaces a developer runs from the monorepo (spec "Web interfaces"): where each app lives,
 * the port its dev server uses by default, and the variable that points it at a Gateway.
 */
export type DevApp = 'web' | 'marketing';

export interface DevAppSpec {
  app: DevApp;
  /** Human name in messages. */
  title: string;
  /** The app's folder in a monorepo checkout. */
  folder: string;
  defaultPort: number;
  /** The variable the app's dev proxy reads the Gateway URL from. */
  gatewayVariable: string;
}

export const DEV_APPS: Record<DevApp, DevAppSpec> = {
  web: { app: 'web', title: 'web app', folder: 'website_application', defaultPort: 3000, gatewayVariable: 'DEV_PROXY_GATEWAY_URL' },
  marketing: { app: 'marketing', title: 'marketing site', folder: 'website_marketing', defaultPort: 9004, gatewayVariable: 'DEV_PROXY_GATEWAY_URL' },
};

/** `frameworks web dev`, as typed in hints. */
export const devCommand = (app: DevApp, verb: string): string => `frameworks ${app} dev ${verb}`;
