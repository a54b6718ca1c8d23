namespace DiMml;

/// <summary>
/// How a fixed-length mono signal becomes a log spectrogram: a periodic window (<see cref="Window"/>) of
/// <see cref="WindowSize"/> samples every <see cref="HopLength"/> samples (reflect-padded by half a window on both
/// ends when <see cref="Center"/>; each frame's mean removed first when <see cref="RemoveFrameMean"/>), the one-sided
/// STFT as magnitude or power spectral density (<see cref="Scaling"/>), optional mel filter bank, log(x + ε) and
/// optional per-clip standardisation. The result is laid out frequency-major: <see cref="Bins"/> rows of
/// <see cref="Frames"/> values.
/// </summary>
/// <param name="SampleRate">Signal sample rate (Hz).</param>
/// <param name="Samples">Signal length.</param>
/// <param name="WindowSize">STFT window (and FFT) length.</param>
/// <param name="HopLength">Samples between frames.</param>
/// <param name="Center">Reflect-pad half a window on both ends (frames = Samples / Hop + 1); else frames = (Samples − Window) / Hop +
/// 1.</param>
/// <param name="MelBins">Number of mel bands (HTK mel scale, 0 Hz to Nyquist); null keeps the Window / 2 + 1 linear bins.</param>
/// <param name="Log">Whether to take log(x + <paramref name="LogEpsilon"/>).</param>
/// <param name="LogEpsilon">ε of the log.</param>
/// <param name="Standardize">Whether to subtract the clip's mean and divide by its standard deviation.</param>
/// <param name="Window">The STFT window. Default Hann.</param>
/// <param name="RemoveFrameMean">Whether to subtract each frame's mean before windowing (scipy's <c>detrend='constant'</c>). Default
/// false.</param>
/// <param name="Scaling">Magnitude or power spectral density. Default magnitude.</param>
public sealed record SpectrogramSettings(
    int SampleRate, int Samples, int WindowSize, int HopLength, bool Center, int? MelBins, bool Log, double LogEpsilon, bool Standardize,
    SpectrogramWindow Window = SpectrogramWindow.Hann, bool RemoveFrameMean = false,
        SpectrogramScaling Scaling = SpectrogramScaling.Magnitude)
{
    /// <summary>Frequency rows: mel bands, or Window / 2 + 1 linear bins.</summary>
    public int Bins => MelBins ?? WindowSize / 2 + 1;

    /// <summary>Time frames.</summary>
    public int Frames => Center ? Samples / HopLength + 1 : (Samples - WindowSize) / HopLength + 1;

    /// <summary>Length of the flattened spectrogram.</summary>
    public int Size => Bins * Frames;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        Check(SampleRate > 0, "SampleRate must be positive");
        Check(WindowSize >= 2 && HopLength >= 1, "WindowSize must be >= 2 and HopLength >= 1");
        Check(Samples >= WindowSize, $"the clip ({Samples} samples) must be at least one window ({WindowSize}) long");
        Check(!Center || WindowSize / 2 < Samples, "centring needs a clip longer than half a window");
        Check(MelBins is null or > 0, "MelBins must be positive, or null for linear bins");
        Check(double.IsFinite(LogEpsilon) && LogEpsilon > 0, "LogEpsilon must be a finite number > 0");
        Check(Enum.IsDefined(Window), $"Window {Window} is not one of {string.Join(", ", Enum.GetNames<SpectrogramWindow>())}");
        Check(Enum.IsDefined(Scaling), $"Scaling {Scaling} is not one of {string.Join(", ", Enum.GetNames<SpectrogramScaling>())}");
    }

    private static void Check(bool condition, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"Spectrogram settings: {problem}.");
        }
    }
}
