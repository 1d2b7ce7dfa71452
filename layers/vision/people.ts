/**
 * Counting people on an image, apart from the selfie path: the selfie path keeps its strict
 * minimum face size (SELFIE_DETECT: 40 px and 10 % of the shorter side, so a face far in the
 * background is never the one analysed), while "how many people are on this image" uses the
 * counting preset, which finds faces down to about 20 px, also in large photos (tiles).
 */
import { analyzeMediaDetailed } from './analyze';
import { ManyPeopleError, NoFaceError } from './errors';
import { DETECT_DEFAULTS, detectFaces, TILE_MAX_FACE_PX, type DetectOptions, type FaceBox } from './faces';
import { decodeImage } from './frames';
import type { FaceTemplate } from './templates';

/** Every face from 20 px up, whatever the frame size (whole frame plus tiles at the detector's scale). */
export const COUNT_DETECT: Required<DetectOptions> = { ...DETECT_DEFAULTS, minFacePx: 20, minFaceFraction: 0, tiles: true };

/**
 * When a second face on a sample is another person, not a reflection, a poster or a face far in
 * the background: detector score at least 0.99 and at least half the primary face's height.
 * Measured on ../shared/data/faces: every multi-person photo (two_people, couple, obama_and_biden,
 * kit_with_rose) has such a face (score 1.000, 0.80 to 1.02 of the height); of the 76 identity
 * photos none has, while two have a weaker second detection (a blurred background face at 0.980,
 * a small one at 0.32 of the height) and one a doubtful detection at 0.774.
 */
export const OTHER_PERSON = { minScore: 0.99, minRelativeHeight: 0.5 };

export function otherPeople(faces: readonly FaceBox[], primary: FaceBox): FaceBox[] {
  const h = primary.y2 - primary.y1;
  return faces.filter((f) => !sameBox(f, primary) && f.score >= OTHER_PERSON.minScore && f.y2 - f.y1 >= OTHER_PERSON.minRelativeHeight * h);
}

const sameBox = (a: FaceBox, b: FaceBox) => a.x1 === b.x1 && a.y1 === b.y1 && a.x2 === b.x2 && a.y2 === b.y2;

/** The faces on an image with the counting preset (tiles: false = whole frame only), highest score first. */
export async function facesToCount(bytes: Buffer, tiles = true): Promise<FaceBox[]> {
  return detectFaces(await decodeImage(bytes), { ...COUNT_DETECT, tiles });
}

/**
 * How many people an image meant to show one person shows: 1 when one person (or nobody the
 * selfie path can use and at most one face), else the count. `primary` is the face the selfie
 * path chose, or null when it found none of its minimum size: then every counted face is a person
 * (a group photo of small faces; either way the photo is refused, only the reason differs).
 */
export async function peopleOnImage(bytes: Buffer, primary: FaceBox | null): Promise<number> {
  // the tiles add faces of at most TILE_MAX_FACE_PX: beside a large main face none is another person
  const tiles = !primary || OTHER_PERSON.minRelativeHeight * (primary.y2 - primary.y1) <= TILE_MAX_FACE_PX;
  const faces = await facesToCount(bytes, tiles);
  if (primary) return 1 + otherPeople(faces, primary).length;
  return faces.length;
}

/**
 * The template of the one person on a photo (undefined when the face was found but could not be
 * aligned). Throws ManyPeopleError for a group photo, also one whose faces are all too small for
 * the selfie path (rather than NoFaceError), and NoFaceError / MediaError as analyzeMedia does.
 */
export async function onePersonTemplate(bytes: Buffer): Promise<FaceTemplate | undefined> {
  const refuseGroup = async (primary: FaceBox | null): Promise<void> => {
    const n = await peopleOnImage(bytes, primary);
    if (n > 1) throw new ManyPeopleError(n);
  };
  let result;
  try {
    result = await analyzeMediaDetailed(bytes, 'image', { template: true });
  } catch (e) {
    if (e instanceof NoFaceError) await refuseGroup(null);
    throw e;
  }
  await refuseGroup(result.details.primary[0] ?? null);
  return result.analysis.template;
}
