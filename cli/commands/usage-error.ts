// A command used wrongly: the CLI prints the message (and the usage) without a stack trace.
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
