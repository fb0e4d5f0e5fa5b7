import { str } from '@lit/localize';

/** English for <wss-add-guide>; ids match its msg() calls. */
export const addGuideEn = {
  'guide.loading': 'Loading…',
  'guide.unavailable': 'This store does not offer WeCom service yet',
  'guide.account': str`Your store advisor: ${0}`,
  'guide.open': 'Open WeChat to add',
  'guide.opening': 'Opening WeChat…',
  'guide.failed': 'WeChat did not open. Try again, or long-press the QR code below.',
  'guide.retry': 'Open WeChat again',
  'guide.qr': 'Long-press the QR code to add the store advisor',
  'guide.qrAlt': 'Store advisor QR code',
  'guide.noQr': 'The QR code is not available right now; please try again later.',
  'guide.step1': 'Tap the button to open the WeChat mini program',
  'guide.step2': 'Long-press the QR code there and add the advisor',
  'guide.added': 'Store service added',
  'guide.addedHint': 'You can now talk to the store service in WeChat',
  'guide.link.open': 'Add your store advisor',
  'guide.link.hint': "The advisor's profile opens; tap \u201cAdd to Contacts\u201d",
  'guide.link.or': 'or',
};
