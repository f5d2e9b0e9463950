// A small polygon editor on a Leaflet map: a click on the map adds a
// vertex, each vertex is a handle that can be dragged, the outline follows.
// Enough for drawing a grid's boundary on a phone or a desk; no snapping.
//   const editor = createGeometryEditor(map, { onChange })
//   editor.start([[lon, lat], …]); editor.undo(); editor.clear()
//   editor.vertices() → [[lon, lat], …]; editor.stop()
import L from 'leaflet'

export function createGeometryEditor(map, { onChange = () => {} } = {}) {
    const layer = L.layerGroup()
    const outline = L.polygon([], {
        color: '#e6a23c',
        weight: 2,
        dashArray: '6 4',
        fillColor: '#e6a23c',
        fillOpacity: 0.15,
        interactive: false,
        className: 'gg-edit-outline',
    })
    let handles = []
    let active = false

    const icon = (first) => L.divIcon({
        className: first ? 'gg-vertex gg-vertex-first' : 'gg-vertex',
        iconSize: [14, 14],
    })

    function redraw() {
        outline.setLatLngs(handles.map((h) => h.getLatLng()))
        handles.forEach((h, i) => h.setIcon(icon(i === 0)))
        onChange(handles.length)
    }

    function addHandle(latlng) {
        const handle = L.marker(latlng, {
            draggable: true,
            icon: icon(handles.length === 0),
            keyboard: false,
            bubblingMouseEvents: false,
        })
        handle.on('drag', redraw)
        // A click on a handle does not add a vertex on the map beneath.
        handle.on('click', (e) => L.DomEvent.stop(e))
        handles.push(handle)
        layer.addLayer(handle)
        redraw()
    }

    function onMapClick(e) {
        if (active)
            addHandle(e.latlng)
    }

    return {
        // Begins with the given vertices ([lon, lat]; none for a new one).
        start(vertices = []) {
            this.stop()
            active = true
            layer.addLayer(outline)
            layer.addTo(map)
            for (const [lon, lat] of vertices)
                addHandle(L.latLng(lat, lon))
            map.on('click', onMapClick)
            map.getContainer().classList.add('gg-editing')
            redraw()
        },
        undo() {
            const last = handles.pop()
            if (last)
                layer.removeLayer(last)
            redraw()
        },
        clear() {
            handles.forEach((h) => layer.removeLayer(h))
            handles = []
            redraw()
        },
        vertices() {
            return handles.map((h) => {
                const { lat, lng } = h.getLatLng()
                return [lng, lat]
            })
        },
        stop() {
            if (!active)
                return
            active = false
            map.off('click', onMapClick)
            handles.forEach((h) => layer.removeLayer(h))
            handles = []
            layer.removeLayer(outline)
            layer.remove()
            map.getContainer().classList.remove('gg-editing')
            onChange(0)
        },
        get active() {
            return active
        },
    }
}
