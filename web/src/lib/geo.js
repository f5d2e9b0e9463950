// GeoJSON helpers for the map (WGS-84, [longitude, latitude] pairs).

// The outer ring of a Polygon, or of a MultiPolygon's first polygon, as a
// list of [lon, lat] without the closing point; null for anything else.
export function outerRing(geometry) {
    if (!geometry)
        return null
    const ring = geometry.type === 'Polygon'
        ? geometry.coordinates[0]
        : geometry.type === 'MultiPolygon'
            ? geometry.coordinates[0] && geometry.coordinates[0][0]
            : null
    if (!ring || ring.length < 4)
        return null
    const [first, last] = [ring[0], ring[ring.length - 1]]
    const closed = first[0] === last[0] && first[1] === last[1]
    return (closed ? ring.slice(0, -1) : ring).map(([lon, lat]) => [lon, lat])
}

// A Polygon from its vertices ([lon, lat], at least three), closed.
export function polygonOf(vertices) {
    if (vertices.length < 3)
        return null
    const ring = vertices.map(([lon, lat]) => [round(lon), round(lat)])
    return { type: 'Polygon', coordinates: [[...ring, ring[0]]] }
}

// Seven decimals: about a centimetre, as much as a phone's GPS means.
function round(v) {
    return Math.round(v * 1e7) / 1e7
}

// Splits a FeatureCollection into areas (Polygon / MultiPolygon features)
// and points (Point features).
export function splitFeatures(collection) {
    const features = (collection && collection.features) || []
    const isArea = (f) => f.geometry && /Polygon$/.test(f.geometry.type)
    return {
        areas: features.filter(isArea),
        points: features.filter((f) => f.geometry && f.geometry.type === 'Point'),
    }
}
