// PROVISIONAL (the lead's stub while the full table is being written; will be replaced)
export class KafkaCodecError extends Error {
  path: string;
  offset: number;
  #reason: string;
  constructor(reason: string, options: { path?: string; offset?: number } = {}) {
    super(reason);
    this.#reason = reason;
    this.path = options.path ?? "";
    this.offset = options.offset ?? -1;
    this.name = "KafkaCodecError";
    this.message = this.#format();
  }
  #format(): string {
    const where = this.path ? ` ${this.path}` : "";
    const at = this.offset >= 0 ? ` at byte ${this.offset}` : "";
    return `${this.#reason}${where}${at}`;
  }
  static withSegment(e: KafkaCodecError, segment: string): KafkaCodecError {
    return new KafkaCodecError(e.#reason, { path: e.path ? `${segment}.${e.path}` : segment, offset: e.offset });
  }
}
export class KafkaProtocolError extends Error {
  code: number;
  constructor(code: number, detail?: string) {
    super(`Kafka error ${code}: ${detail}`);
    this.code = code;
  }
}
export class UnsupportedVersionError extends KafkaProtocolError {
  constructor(detail?: string) {
    super(35, detail);
  }
}
