/**
 * SDK client settings that point a real AWS SDK v3 client at a running emulator.
 */

/** The subset of SDK client configuration the emulator needs; spread it into a client's config. */
export interface EmulatorClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * Endpoint, region `us-east-1` and static fake credentials (the emulator ignores
 * signatures, but the SDK refuses to sign without credentials, and static ones keep it
 * from searching the machine for real ones).
 */
export function emulatorClientConfig(emulator: { readonly endpoint: string }): EmulatorClientConfig {
  return {
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAEMULATOR00000000', secretAccessKey: 'emulator-secret-not-a-real-key' },
  };
}

/**
 * The environment variables that route clients built without an explicit `endpoint` to
 * the emulator (service-specific endpoint variables, supported by SDK v3).
 */
export function emulatorEnvironment(emulator: { readonly endpoint: string }): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_ORGANIZATIONS: emulator.endpoint,
    AWS_ENDPOINT_URL_SECURITYHUB: emulator.endpoint,
    AWS_ENDPOINT_URL_KMS: emulator.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAEMULATOR00000000',
    AWS_SECRET_ACCESS_KEY: 'emulator-secret-not-a-real-key',
  };
}

/**
 * The whole AWS environment of a process that must reach only the local servers: the
 * emulator for Organizations and Security Hub, s3rver for S3 (whose key pair it uses, since
 * s3rver accepts no other and the emulator accepts any signature), and nothing a developer's
 * shell could add: no profile, config file, session token or instance metadata.
 */
export function localAwsEnvironment(
  emulator: { readonly endpoint: string },
  s3: { readonly endpoint: string },
): Record<string, string | undefined> {
  return {
    ...emulatorEnvironment(emulator),
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL: undefined,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
