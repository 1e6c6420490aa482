import { get } from '../api';
import { emitAck } from '../socket';

type IceServers = { iceServers: RTCIceServer[]; ttlSeconds: number; iceTransportPolicy: RTCIceTransportPolicy };
type IceConfig = Pick<RTCConfiguration, 'iceServers' | 'iceTransportPolicy'>;
let cachedIce: { callId: string; config: IceConfig; until: number } | null = null;
/** At sign-out: the TURN credentials were this account's. */
export const forgetIceServers = () => void (cachedIce = null);

/**
 * STUN/TURN for this call (the server gives TURN credentials only to a call's members), kept
 * for the call's renegotiations; and whether it goes by relay only (a random match's call:
 * no address of ours reaches the stranger).
 */
async function iceConfig(callId: string): Promise<IceConfig> {
  if (cachedIce && cachedIce.callId === callId && cachedIce.until > Date.now()) return cachedIce.config;
  const { iceServers, ttlSeconds, iceTransportPolicy } = await get<IceServers>('/rtc/ice-servers', { callId });
  const config = { iceServers, iceTransportPolicy };
  cachedIce = { callId, config, until: Date.now() + (ttlSeconds - 60) * 1000 };
  return config;
}

/** Relays through the server; a refused relay (rate budget) is retried once after its wait. */
async function relay(event: string, payload: unknown): Promise<void> {
  try {
    await emitAck(event, payload);
  } catch (err) {
    const wait = (err as { code?: string }).code === 'RATE_LIMITED' ? 1000 : 0;
    if (!wait) throw err;
    await new Promise((r) => setTimeout(r, wait));
    await emitAck(event, payload);
  }
}

/**
 * One side of a 1:1 WebRTC call whose signaling goes through the server (rtc:offer,
 * rtc:answer, rtc:ice). Offers and candidates that arrive before this side is ready wait.
 */
export class Peer {
  readonly local: Promise<MediaStream>;
  private readonly pc: Promise<RTCPeerConnection>;
  private remoteSet = false;
  private readonly pendingIce: RTCIceCandidateInit[] = [];
  private closed = false;

  constructor(
    readonly callId: string,
    mode: 'video' | 'audio',
    private readonly onState: (state: RTCPeerConnectionState) => void,
    readonly onRemote: (stream: MediaStream) => void,
  ) {
    this.local = navigator.mediaDevices.getUserMedia({ audio: true, video: mode === 'video' });
    this.pc = Promise.all([iceConfig(callId), this.local]).then(([config, stream]) => {
      const pc = new RTCPeerConnection(config);
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
      pc.ontrack = (e) => onRemote(e.streams[0] ?? new MediaStream([e.track]));
      pc.onicecandidate = (e) => {
        if (e.candidate) void relay('rtc:ice', { callId, candidate: e.candidate.toJSON() }).catch(() => undefined);
      };
      pc.onconnectionstatechange = () => this.onState(pc.connectionState);
      if (this.closed) pc.close();
      return pc;
    });
  }

  async offer(): Promise<void> {
    const pc = await this.pc;
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    await relay('rtc:offer', { callId: this.callId, sdp: offer.sdp });
  }

  async answer(sdp: string): Promise<void> {
    const pc = await this.pc;
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await this.flushIce(pc);
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    await relay('rtc:answer', { callId: this.callId, sdp: answer.sdp });
  }

  async accepted(sdp: string): Promise<void> {
    const pc = await this.pc;
    await pc.setRemoteDescription({ type: 'answer', sdp });
    await this.flushIce(pc);
  }

  async candidate(candidate: RTCIceCandidateInit): Promise<void> {
    const pc = await this.pc;
    if (!this.remoteSet) this.pendingIce.push(candidate);
    else await pc.addIceCandidate(candidate);
  }

  private async flushIce(pc: RTCPeerConnection): Promise<void> {
    this.remoteSet = true;
    for (const c of this.pendingIce.splice(0)) await pc.addIceCandidate(c).catch(() => undefined);
  }

  close(): void {
    this.closed = true;
    void this.local.then(
      (s) => s.getTracks().forEach((t) => t.stop()),
      () => undefined,
    );
    void this.pc.then(
      (pc) => pc.close(),
      () => undefined,
    );
  }
}
