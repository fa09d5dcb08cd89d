/**
 * How two builds of xenherd stand, by the version each carries (`0.1.0+20261205.184112`: the
 * release, then the date of the sources it was built from). Both the controller (an agent's frame
 * it cannot read: which side to upgrade) and xenherdctl (`status`: which build an upgrade left
 * behind) weigh them so.
 */
export type BuildOrder = 'newer' | 'older' | 'same' | 'unknown';

const release = (v: string): number[] | null => {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v);
  return m === null ? null : [Number(m[1]), Number(m[2]), Number(m[3])];
};

/** The sources' date a build carries after its release (0.1.0+20261205.184112), or null (a run from source: +dev). */
const buildDate = (v: string): string | null => /\+(\d{8}\.\d{6})$/.exec(v)?.[1] ?? null;

/** A release number alone: a build from before the binaries carried their packages' version, when every one said 0.1.0. */
const bare = (v: string): boolean => /^v?\d+\.\d+\.\d+$/.test(v);

/**
 * How A stands to B: by major.minor.patch (a pre-release tag is not weighed), then by the builds'
 * dates, every build of one release carrying that release's number; a release number alone comes
 * before every dated build of it, as such builds were made before the date was carried.
 */
export function buildOrder(a: string, b: string): BuildOrder {
  if (a === b) return 'same';
  const ra = release(a);
  const rb = release(b);
  if (ra === null || rb === null) return 'unknown';
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return (ra[i] ?? 0) > (rb[i] ?? 0) ? 'newer' : 'older';
  const [da, db] = [buildDate(a), buildDate(b)];
  if (da !== null && db !== null && da !== db) return da > db ? 'newer' : 'older';
  if (bare(a) && db !== null) return 'older';
  if (bare(b) && da !== null) return 'newer';
  return 'same';
}
