// How a new offer gets the agent's attention: a short two-tone beep made with WebAudio (no audio
// file, nothing fetched from anywhere) and a browser notification, when the agent allowed them.

const ASKED_KEY = "flowdesk.notifications.asked";

let audio: AudioContext | null = null;

/** Browsers keep audio muted until a user gesture: call this from one (e.g. going online). */
export function unlockSound(): void {
  try {
    audio ??= new AudioContext();
    void audio.resume();
  } catch {
    audio = null; // no WebAudio here: offers stay silent, the card still shows
  }
}

/** Two short sine tones (~0.3 s in all), quiet enough not to startle. */
export function beep(): void {
  if (!audio) unlockSound();
  const context = audio;
  if (!context || context.state !== "running") return;
  const start = context.currentTime;
  [880, 1175].forEach((frequency, index) => {
    const at = start + index * 0.16;
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.14);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(at);
    oscillator.stop(at + 0.15);
  });
}

/**
 * Ask once for permission to show notifications (remembered in localStorage, so a refusal is
 * not asked again on every visit). Call it from a user gesture: browsers ignore or penalise
 * prompts that come out of nowhere.
 */
export function askNotificationPermissionOnce(): void {
  if (!("Notification" in window) || Notification.permission !== "default") return;
  try {
    if (localStorage.getItem(ASKED_KEY)) return;
    localStorage.setItem(ASKED_KEY, new Date().toISOString());
  } catch {
    return; // storage refused (private mode): better not to ask at all than to ask every time
  }
  void Notification.requestPermission();
}

/** A desktop notification, when allowed; clicking it brings the workspace to the front. */
export function notify(title: string, body: string, tag: string): void {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  try {
    const notification = new Notification(title, { body, tag });
    notification.onclick = () => {
      window.focus();
      notification.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker; the sound and card remain.
  }
}
