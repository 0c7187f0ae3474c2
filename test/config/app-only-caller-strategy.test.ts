import { describe, expect, it } from 'vitest';
import { resolveServerConfig } from '../../src/config/server-options.js';

describe('--app-only-caller-strategy', () => {
  it('defaults to Reject and accepts UseHostingEnvironmentIdentity under on-behalf-of', () => {
    expect(resolveServerConfig({ transport: 'http' }, {}).appOnlyCallerStrategy).toBe('Reject');
    expect(resolveServerConfig({ transport: 'http', appOnlyCallerStrategy: 'usehostingenvironmentidentity' }, {})).toMatchObject({
      outgoingAuthStrategy: 'UseOnBehalfOf',
      appOnlyCallerStrategy: 'UseHostingEnvironmentIdentity',
    });
    expect(resolveServerConfig({ transport: 'http', outgoingAuthStrategy: 'UseOnBehalfOf', appOnlyCallerStrategy: 'Reject' }, {}).appOnlyCallerStrategy).toBe('Reject');
  });

  it('lists the valid values, and is refused where there is no on-behalf-of', () => {
    expect(() => resolveServerConfig({ transport: 'http', appOnlyCallerStrategy: 'Allow' }, {})).toThrow(
      "--app-only-caller-strategy 'Allow' is not valid; use one of: Reject, UseHostingEnvironmentIdentity.",
    );
    expect(() => resolveServerConfig({ appOnlyCallerStrategy: 'Reject' }, {})).toThrow(/applies only to --outgoing-auth-strategy UseOnBehalfOf/);
    expect(() =>
      resolveServerConfig({ transport: 'http', outgoingAuthStrategy: 'UseHostingEnvironmentIdentity', appOnlyCallerStrategy: 'UseHostingEnvironmentIdentity' }, {}),
    ).toThrow(/applies only to --outgoing-auth-strategy UseOnBehalfOf/);
  });
});
