// Live preview with hls.js (the copy the control plane serves at /player/hls.min.js): low-latency
// mode for LL streams, catching up to the live edge as the player page does.
import { useEffect, useRef, useState } from 'preact/hooks';

interface HlsInstance {
  loadSource(url: string): void;
  attachMedia(video: HTMLVideoElement): void;
  on(event: string, handler: (event: string, data: { fatal?: boolean; details?: string }) => void): void;
  destroy(): void;
}
interface HlsClass {
  new (config: Record<string, unknown>): HlsInstance;
  isSupported(): boolean;
}
declare global {
  interface Window {
    Hls?: HlsClass;
  }
}

export function Preview(props: { src: string; lowLatency: boolean }) {
  const video = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState('loading');

  useEffect(() => {
    const Hls = window.Hls;
    const el = video.current!;
    if (!Hls || !Hls.isSupported()) {
      el.src = props.src; // Safari plays HLS itself
      return;
    }
    // A stream opened before its feed has no playlist yet (404): a fatal error starts the player
    // over after a pause, rather than leaving the preview dead until the page is reloaded.
    let hls: HlsInstance | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    const begin = () => {
      hls = new Hls({ lowLatencyMode: props.lowLatency, maxLiveSyncPlaybackRate: 1.5, liveDurationInfinity: true });
      hls.on('hlsManifestParsed', () => setState('playing'));
      hls.on('hlsError', (_e, data) => {
        if (!data.fatal) return;
        setState(`waiting: ${data.details ?? 'error'} (trying again)`);
        hls?.destroy();
        hls = null;
        retry = setTimeout(begin, 2000);
      });
      hls.loadSource(props.src);
      hls.attachMedia(el);
    };
    begin();
    return () => {
      if (retry) clearTimeout(retry);
      hls?.destroy();
    };
  }, [props.src, props.lowLatency]);

  return (
    <div class="preview">
      <video ref={video} data-testid="preview" controls muted autoplay playsInline aria-label="Live preview" />
      <p class="sub">
        player: <span data-testid="preview-state">{state}</span>
      </p>
    </div>
  );
}
