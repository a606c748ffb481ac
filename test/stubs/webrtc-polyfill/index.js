// The suite's tests use bittorrent-tracker's Client over HTTP and UDP only; WebSocket/WebRTC trackers are never announced to.
class Unavailable { constructor () { throw new Error('WebRTC is not available in the test environment') } }
export const RTCPeerConnection = Unavailable
export const RTCSessionDescription = Unavailable
export const RTCIceCandidate = Unavailable
export default { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate }
