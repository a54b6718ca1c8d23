namespace DiMml;

/// <summary>What each time-frequency value of a spectrogram measures.</summary>
public enum SpectrogramScaling
{
    /// <summary>Magnitude of the STFT, <c>|X|</c>.</summary>
    Magnitude,

    /// <summary>One-sided power spectral density, <c>|X|² / (fs · Σ w²)</c>, doubled for all bins but DC and
    /// Nyquist (scipy.signal.spectrogram's default, used by the DI-MML authors).</summary>
    PowerSpectralDensity,
}
