import { t } from '../i18n.js';
import { num } from '../format.js';

const W = 320;
const H = 220;
const PAD = 28;

/** A tile-free drawing of the suggested offices from their coordinates (and the citizen, when the
 * browser gave a location): nothing is fetched from a map server. The list beside it carries the
 * same information for screen readers, so the drawing is one labelled image. */
export function OfficeMap({ offices, you }) {
  const points = offices.filter((o) => o.lat != null && o.lon != null);
  if (!points.length) return null;
  const all = you ? [...points, you] : points;
  const lats = all.map((p) => p.lat);
  const lons = all.map((p) => p.lon);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const kx = Math.cos((midLat * Math.PI) / 180); // a degree of longitude is shorter away from the equator
  const spanX = Math.max((Math.max(...lons) - Math.min(...lons)) * kx, 0.01);
  const spanY = Math.max(Math.max(...lats) - Math.min(...lats), 0.01);
  const scale = Math.min((W - 2 * PAD) / spanX, (H - 2 * PAD) / spanY);
  const cx = (Math.min(...lons) + Math.max(...lons)) / 2;
  const x = (lon) => W / 2 + (lon - cx) * kx * scale; // east is to the right on a map, in any script
  const y = (lat) => H / 2 - (lat - midLat) * scale;
  return (
    <figure class="office-map">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="map-title map-desc" dir="ltr">
        <title id="map-title">{t('mapTitle')}</title>
        <desc id="map-desc">{t('mapDescription', num(points.length))}</desc>
        <rect x="0" y="0" width={W} height={H} class="office-map__ground" />
        <text x={W - 8} y="16" class="office-map__north" text-anchor="end">N ↑</text>
        {you && (
          <g class="office-map__you">
            <circle cx={x(you.lon)} cy={y(you.lat)} r="6" />
            <text x={x(you.lon)} y={y(you.lat) + 20} text-anchor="middle">{t('youAreHere')}</text>
          </g>
        )}
        {points.map((p) => (
          <g key={p.id} class="office-map__office">
            <circle cx={x(p.lon)} cy={y(p.lat)} r="11" />
            <text x={x(p.lon)} y={y(p.lat) + 4} text-anchor="middle">{num(p.rank)}</text>
          </g>
        ))}
      </svg>
      <figcaption class="hint">{t('mapDescription', num(points.length))}</figcaption>
    </figure>
  );
}
