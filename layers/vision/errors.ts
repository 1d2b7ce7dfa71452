/** Errors the vision layer raises on bad input. Anything else thrown is a bug or an environment fault. */

export type MediaErrorCode =
  | 'UNSUPPORTED_MEDIA'
  | 'CORRUPT_MEDIA'
  | 'IMAGE_TOO_LARGE'
  | 'TOO_FEW_FRAMES'
  | 'UNSAFE_ARCHIVE';

export class MediaError extends Error {
  constructor(
    public readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

/** No usable face (above the minimum size) in any frame of the media. */
export class NoFaceError extends Error {
  public readonly code = 'NO_FACE' as const;
  constructor(message = 'no face found in the media') {
    super(message);
    this.name = 'NoFaceError';
  }
}

/** A photo meant to show one person shows several (counted with the counting preset). */
export class ManyPeopleError extends Error {
  public readonly code = 'MANY_PEOPLE' as const;
  constructor(public readonly people: number) {
    super(`${people} people are on the image`);
    this.name = 'ManyPeopleError';
  }
}
