//! A short chime, for what arrives while the user looks elsewhere.

/// A short, quiet two-note chime through the Web Audio API (no file to download).
pub fn play_tone() {
    let Ok(context) = web_sys::AudioContext::new() else {
        return;
    };
    let now = context.current_time();
    for (offset, frequency) in [(0.0, 660.0), (0.12, 880.0)] {
        let (Ok(oscillator), Ok(gain)) = (context.create_oscillator(), context.create_gain())
        else {
            return;
        };
        oscillator.frequency().set_value(frequency);
        let volume = gain.gain();
        let _ = volume.set_value_at_time(0.0001, now + offset);
        let _ = volume.exponential_ramp_to_value_at_time(0.08, now + offset + 0.02);
        let _ = volume.exponential_ramp_to_value_at_time(0.0001, now + offset + 0.25);
        let _ = oscillator
            .connect_with_audio_node(&gain)
            .and_then(|_| gain.connect_with_audio_node(&context.destination()));
        let _ = oscillator.start_with_when(now + offset);
        let _ = oscillator.stop_with_when(now + offset + 0.3);
    }
}
