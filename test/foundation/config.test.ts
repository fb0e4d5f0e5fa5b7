import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../plugin/config.js';
import { createWecomStoreService } from '../../plugin/index.js';
import { TEST_WECOM_CONFIG, FixtureDirectory } from '../support/plugin-app.js';
import knexFactory from 'knex';

describe('config', () => {
  it('fills defaults', () => {
    const config = parseConfig({ wecom: TEST_WECOM_CONFIG });
    expect(config.routesPrefix).toBe('/plugins/wecom-store-service');
    expect(config.timezone).toBe('Asia/Shanghai');
    expect(config.wecom.perApiPerMinute).toBeLessThan(10000);
  });

  it('fails fast at start, naming each bad field, without echoing secrets', () => {
    const db = knexFactory({ client: 'pg' });
    const start = () =>
      createWecomStoreService({
        db,
        host: { authenticate: () => null, directory: new FixtureDirectory() },
        config: {
          routesPrefix: 'no-slash',
          wecom: { ...TEST_WECOM_CONFIG, callbackEncodingAesKey: 'short-secret-value', corpId: '' },
          jobs: { 'directory-sync': { enabled: 'yes' as unknown as boolean } },
          colour: 'red',
        } as never,
      });
    expect(start).toThrow(ConfigError);
    try {
      start();
    } catch (err) {
      const e = err as ConfigError;
      expect(Object.keys(e.fields).sort()).toEqual(
        ['colour', 'jobs.directory-sync.enabled', 'routesPrefix', 'wecom.callbackEncodingAesKey', 'wecom.corpId'].sort(),
      );
      expect(e.message).toContain('wecom.callbackEncodingAesKey');
      expect(e.message).not.toContain('short-secret-value');
    }
    void db.destroy();
  });
});
