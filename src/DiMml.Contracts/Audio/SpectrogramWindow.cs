namespace DiMml;

/// <summary>The STFT window of a spectrogram; both are periodic (DFT-even), as scipy's and torch's defaults are.</summary>
public enum SpectrogramWindow
{
    /// <summary>Hann window, <c>0.5 − 0.5 cos(2πn / N)</c>: the usual choice (torch.stft, librosa).</summary>
    Hann,

    /// <summary>Tukey window with α = 0.25 (a flat top with cosine tapers over a quarter of the window):
    /// scipy.signal.spectrogram's default, which the DI-MML authors' audio pipeline uses.</summary>
    Tukey,
}
