export * from './push-messages';
export * from './push-signature';
export * from './push-timestamp';
export * from './push-uri';
