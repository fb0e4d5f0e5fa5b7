/**
 * The one set of WeCom credentials the tests use (the simulator and the plugin agree on them).
 * Fake values of the real shapes: a corp id, an app secret, a callback Token and a 43-char AES key.
 * The official callback vector (test/wecom/callback-crypto.test.ts) keeps its own published values.
 */
export const TEST_WECOM = {
  corpId: 'wwtestcorp000001',
  corpSecret: 'Test-Corp-Secret-kG7xQ2mP9vL4nR8s',
  callbackToken: 'testToken',
  callbackEncodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
} as const;

/** The same, as callback secrets (`@wecom/crypto` names). */
export const TEST_CALLBACK_SECRETS = {
  token: TEST_WECOM.callbackToken,
  encodingAesKey: TEST_WECOM.callbackEncodingAesKey,
  corpId: TEST_WECOM.corpId,
} as const;
