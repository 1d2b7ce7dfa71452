export type MediaKind = 'image' | 'video' | 'zip';

export interface MediaInspection {
  kind: MediaKind;
  mime: string;
  /** bytes */
  size: number;
  /** hex md5 of the bytes */
  md5: string;
  /** pixels, as displayed (after EXIF orientation / video rotation) */
  width?: number;
  height?: number;
  /** seconds (video) */
  duration?: number;
  /** frames per second (video) */
  fps?: number;
  /** number of video frames, when known */
  frames?: number;
  /** clockwise rotation in degrees (0, 90, 180, 270) applied for display (video) */
  rotation?: number;
}

/** A decoded picture: packed 8-bit RGB, row-major, `data.length === width * height * 3`. */
export interface Frame {
  width: number;
  height: number;
  data: Buffer;
}
