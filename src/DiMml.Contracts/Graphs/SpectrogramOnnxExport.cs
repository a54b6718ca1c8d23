using DataType = Onnx.TensorProto.Types.DataType;

namespace DiMml.Graphs;

/// <summary>
/// Writes <see cref="SpectrogramSettings"/> as an ONNX graph (opset 17: Pad reflect, STFT, MatMul for the mel
/// bank) from a per-row signal <c>[Samples]</c> to a per-row spectrogram <c>[Bins · Frames]</c>. ML.NET runs it
/// with ApplyOnnxModel, so the spectrogram a saved model computes at serving time is the one it trained on.
/// A NaN signal (an undecodable file) gives a NaN spectrogram: a missing modality.
/// </summary>
internal static class SpectrogramOnnxExport
{
    /// <summary>Serialises the graph.</summary>
    /// <param name="settings">The spectrogram settings.</param>
    /// <param name="inputName">Graph input (the signal column).</param>
    /// <param name="outputName">Graph output (the spectrogram column).</param>
    public static byte[] ToBytes(SpectrogramSettings settings, string inputName, string outputName)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var g = new OnnxGraph();
        g.Reserve(inputName);
        g.Reserve(outputName);
        g.Input(inputName, DataType.Float, settings.Samples);
        var signal = g.Node("Unsqueeze", "batch", [inputName, g.Int64s("axes", 0)]);
        if (settings.Center)
        {
            var half = settings.WindowSize / 2;
            signal = g.Node("Pad", "centred", [signal, g.Int64s("pads", 0, half, 0, half)], ("mode", "reflect"));
        }

        var window = Window(settings.Window, settings.WindowSize);
        var frames = g.Node("STFT", "stft",
            [g.Node("Unsqueeze", "real", [signal, g.Int64s("axes", 2)]), g.Int64Scalar("hop", settings.HopLength),
                g.Floats("window", window, settings.WindowSize)]);
        var real = g.Node("Gather", "re", [frames, g.Int64Scalar("zero_index", 0)], ("axis", 3L));
        var imaginary = g.Node("Gather", "im", [frames, g.Int64Scalar("one_index", 1)], ("axis", 3L));
        if (settings.RemoveFrameMean)
        {
            (real, imaginary) = RemoveFrameMeans(g, settings, signal, window, real, imaginary);
        }

        var power = g.Node("Add", "power", [g.Node("Mul", "re2", [real, real]), g.Node("Mul", "im2", [imaginary, imaginary])]);
        var magnitude = settings.Scaling == SpectrogramScaling.PowerSpectralDensity
            ? g.Node("Mul", "density",
                [power, g.Floats("density_scale", DensityScale(window, settings.SampleRate), settings.WindowSize / 2 + 1)])
            : g.Node("Sqrt", "magnitude", [power]);
        if (settings.MelBins is { } mels)
        {
            var bank = MelFilterBank(settings.SampleRate, settings.WindowSize, mels);
            magnitude = g.Node("MatMul", "mel", [magnitude, g.Floats("mel_bank", bank, settings.WindowSize / 2 + 1, mels)]);
        }

        if (settings.Log)
        {
            magnitude = g.Node("Log", "log", [g.Node("Add", "floored", [magnitude, g.Scalar("log_epsilon", (float)settings.LogEpsilon)])]);
        }

        var flat = g.Node("Reshape", "flat",
            [g.Node("Transpose", "frequency_major", [magnitude], ("perm", new[] { 0L, 2L, 1L })), g.Int64s("flat_shape", -1)]);
        if (settings.Standardize)
        {
            var mean = g.Node("ReduceMean", "mean", [flat], ("keepdims", 1L));
            var centred = g.Node("Sub", "centred_values", [flat, mean]);
            var deviation = g.Node("Sqrt", "std",
                [g.Node("ReduceMean", "variance", [g.Node("Mul", "square", [centred, centred])], ("keepdims", 1L))]);
            flat = g.Node("Div", "standardised", [centred, g.Node("Add", "std_floor", [deviation, g.Scalar("tiny", 1e-8f)])]);
        }

        g.Node("Identity", [flat], [outputName]);
        g.Output(outputName, DataType.Float, settings.Size);
        return g.ToModel("DiMml.Torch",
            new Dictionary<string, string>
            {
                [ModelMetadataKeys.Kind] = "AudioSpectrogram",
                [ModelMetadataKeys.Spectrogram] = settings.ToString()
            });
    }

    // The STFT is linear, so the spectrum of (x − m) · w is STFT(x · w) − m · DFT(w): the frame means m (an average pool
    // with the STFT's stride) times the window's own spectrum, a constant.
    private static (string Real, string Imaginary) RemoveFrameMeans(
        OnnxGraph g, SpectrogramSettings settings, string signal, float[] window, string real, string imaginary)
    {
        var pooled = g.Node("AveragePool", "frame_means_pooled", [g.Node("Unsqueeze", "pool_input", [signal, g.Int64s("pool_axes", 1)])],
            ("kernel_shape", new[] { (long)settings.WindowSize }), ("strides", new[] { (long)settings.HopLength }));
        var means = g.Node("Unsqueeze", "frame_means",
            [g.Node("Squeeze", "frame_means_flat", [pooled, g.Int64s("squeeze_axes", 1)]), g.Int64s("mean_axes", 2)]);
        var bins = settings.WindowSize / 2 + 1;
        var (windowReal, windowImaginary) = Spectrum(window, bins);
        return (
            g.Node("Sub", "re_detrended", [real, g.Node("Mul", "mean_re", [means, g.Floats("window_re", windowReal, bins)])]),
            g.Node("Sub", "im_detrended", [imaginary, g.Node("Mul", "mean_im", [means, g.Floats("window_im", windowImaginary, bins)])]));
    }

    // DFT of the window at bins 0..N/2, with the STFT's sign convention (e^{-2πikn/N}).
    private static (float[] Real, float[] Imaginary) Spectrum(float[] window, int bins)
    {
        var n = window.Length;
        var real = new float[bins];
        var imaginary = new float[bins];
        for (var k = 0; k < bins; k++)
        {
            double re = 0, im = 0;
            for (var t = 0; t < n; t++)
            {
                var angle = 2 * Math.PI * ((long)k * t % n) / n;
                re += window[t] * Math.Cos(angle);
                im -= window[t] * Math.Sin(angle);
            }

            (real[k], imaginary[k]) = ((float)re, (float)im);
        }

        return (real, imaginary);
    }

    // One-sided power spectral density: 1 / (fs · Σ w²), doubled for every bin but DC and (even N) Nyquist.
    private static float[] DensityScale(float[] window, int sampleRate)
    {
        var bins = window.Length / 2 + 1;
        var scale = 1.0 / (sampleRate * window.Sum(w => (double)w * w));
        return Enumerable.Range(0, bins)
            .Select(k => (float)(k == 0 || (window.Length % 2 == 0 && k == bins - 1) ? scale : 2 * scale))
            .ToArray();
    }

    /// <summary>The periodic window of <paramref name="size"/> samples of the given kind.</summary>
    public static float[] Window(SpectrogramWindow kind, int size) => kind switch
    {
        SpectrogramWindow.Hann => HannWindow(size),
        SpectrogramWindow.Tukey => TukeyWindow(size, 0.25),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown spectrogram window."),
    };

    /// <summary>Periodic Tukey window: the symmetric window of <paramref name="size"/> + 1 points without its last,
    /// flat in the middle and tapered by half cosines over <paramref name="alpha"/> / 2 of the points at each end.</summary>
    public static float[] TukeyWindow(int size, double alpha)
    {
        var points = size + 1;
        var taper = (int)Math.Floor(alpha * (points - 1) / 2);
        return Enumerable.Range(0, size).Select(n =>
        {
            if (n <= taper)
            {
                return (float)(0.5 * (1 + Math.Cos(Math.PI * (-1 + 2.0 * n / alpha / (points - 1)))));
            }

            return n >= points - taper - 1
                ? (float)(0.5 * (1 + Math.Cos(Math.PI * (-2.0 / alpha + 1 + 2.0 * n / alpha / (points - 1)))))
                : 1f;
        }).ToArray();
    }

    /// <summary>Periodic Hann window: <c>0.5 − 0.5 cos(2πn / N)</c>.</summary>
    public static float[] HannWindow(int size) =>
        Enumerable.Range(0, size).Select(n => (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * n / size))).ToArray();

    /// <summary>Triangular mel filters on the HTK scale, 0 Hz to Nyquist: a <c>[Window/2+1, mels]</c> matrix, row-major.</summary>
    public static float[] MelFilterBank(int sampleRate, int windowSize, int mels)
    {
        static double Mel(double hz) => 2595 * Math.Log10(1 + hz / 700);
        static double Hz(double mel) => 700 * (Math.Pow(10, mel / 2595) - 1);
        var bins = windowSize / 2 + 1;
        var edges = Enumerable.Range(0, mels + 2).Select(i => Hz(Mel(sampleRate / 2.0) * i / (mels + 1))).ToArray();
        var bank = new float[bins * mels];
        for (var b = 0; b < bins; b++)
        {
            var hz = (double)b * sampleRate / windowSize;
            for (var m = 0; m < mels; m++)
            {
                var rising = (hz - edges[m]) / (edges[m + 1] - edges[m]);
                var falling = (edges[m + 2] - hz) / (edges[m + 2] - edges[m + 1]);
                bank[b * mels + m] = (float)Math.Max(0, Math.Min(rising, falling));
            }
        }

        return bank;
    }
}
