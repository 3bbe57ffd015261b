/** Every error Mynah surfaces to a user carries a stable code and a message that says what to do. */
export class MynahError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'MynahError';
  }
}
