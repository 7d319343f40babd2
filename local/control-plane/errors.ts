/**
 * An error the local control plane returns to an SDK client. `code` is the AWS error
 * code the SDK turns into a named exception (e.g. ParameterNotFound); `queryCode` is the
 * awsQuery code CloudWatch's query-compatible JSON protocol also expects.
 */
export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError';
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly queryCode?: string,
  ) {
    super(message);
  }
}

/** A definition handed to startControlPlane that the local control plane cannot run. */
export class UnsupportedDefinition extends Error {
  override readonly name = 'UnsupportedDefinition';
}
