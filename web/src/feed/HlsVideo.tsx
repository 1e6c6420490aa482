import { useEffect, useRef } from 'react';

/**
 * A reel: HLS, played natively where the browser can (Safari, recent Chrome), else through
 * hls.js, loaded only when a reel first needs it.
 */
export function HlsVideo({ src, poster, label }: { src: string; poster?: string; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = src;
      return;
    }
    let cancelled = false;
    let destroy = () => {};
    void import('hls.js').then(({ default: Hls }) => {
      // Gone (or given another source) before the library arrived: attach nothing.
      if (cancelled || !Hls.isSupported()) return;
      const hls = new Hls();
      hls.loadSource(src);
      hls.attachMedia(video);
      destroy = () => hls.destroy();
    });
    return () => {
      cancelled = true;
      destroy();
    };
  }, [src]);
  return <video ref={ref} controls playsInline poster={poster} aria-label={label} />;
}
