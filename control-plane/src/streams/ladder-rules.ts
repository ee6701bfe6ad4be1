// What makes an ABR ladder make sense, checked before a stream is stored: the transcoder must be
// able to make every rung, and a player choosing by bandwidth must find that more bits buy more
// pixels. Two rungs of one resolution at different bitrates are fine (Apple's authoring
// specification lists two 1920x1080 variants); the same rung twice is not.
import type { FieldProblem } from '../common/api-error.js';
import { SOURCE_VARIANT } from '../media/hls-layout.js';
import type { PictureSize } from './source-pictures.js';
import type { RenditionSettings } from './stream.entity.js';

const pixels = (r: RenditionSettings) => r.width * r.height;

/**
 * Every problem with a ladder, each naming its field (`renditions.<i>.<field>`); none for a sound
 * one. `source`: the live feed's picture, when one is arriving (a rung above it is an upscale: bits
 * spent on no detail, and a player choosing it over the source for the bigger RESOLUTION).
 */
export function ladderProblems(ladder: RenditionSettings[], source: PictureSize | null = null): FieldProblem[] {
  const problems: FieldProblem[] = [];
  ladder.forEach((rung, i) => {
    const field = (name: string) => `renditions.${i}.${name}`;
    if (source) {
      const live = `the live source is ${source.width}x${source.height}: a rung above it would only upscale`;
      if (rung.width > source.width) problems.push({ field: field('width'), message: `${rung.width} is wider than ${live}` });
      if (rung.height > source.height) problems.push({ field: field('height'), message: `${rung.height} is taller than ${live}` });
    }
    if (rung.name === SOURCE_VARIANT) {
      problems.push({
        field: field('name'),
        message: `"${SOURCE_VARIANT}" is the stream's own variant, passed through without re-encoding; name the rung otherwise`,
      });
    }
    // 4:2:0 video (what H.264 and HEVC encoders are given) has one chroma sample per 2x2 pixels.
    if (rung.width % 2 !== 0) problems.push({ field: field('width'), message: `must be even (4:2:0 video), not ${rung.width}` });
    if (rung.height % 2 !== 0) problems.push({ field: field('height'), message: `must be even (4:2:0 video), not ${rung.height}` });
    for (let j = 0; j < i; j++) {
      const other = ladder[j];
      if (other.name === rung.name) {
        problems.push({ field: field('name'), message: `"${rung.name}" is already the name of renditions.${j}` });
      } else if (pixels(other) === pixels(rung) && other.videoKbps === rung.videoKbps && (other.frameRate ?? 0) === (rung.frameRate ?? 0)) {
        problems.push({ field: `renditions.${i}`, message: `the same rung as renditions.${j} (${rung.width}x${rung.height} at ${rung.videoKbps} kbit/s)` });
      }
      const [small, large, largeIndex] = pixels(rung) > pixels(other) ? [other, rung, i] : [rung, other, j];
      if (pixels(small) !== pixels(large) && large.videoKbps < small.videoKbps) {
        problems.push({
          field: `renditions.${largeIndex}.videoKbps`,
          message:
            `${large.width}x${large.height} at ${large.videoKbps} kbit/s is below ${small.width}x${small.height} at ${small.videoKbps} kbit/s: ` +
            'bitrates must rise with resolution',
        });
      }
    }
  });
  return problems;
}
