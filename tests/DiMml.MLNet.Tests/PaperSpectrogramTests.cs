using System.Text.Json;
using DiMml.Graphs;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DiMml.MLNet.Tests;

/// <summary>
/// The paper preset of <see cref="AudioSpectrogramEstimator"/> against values scipy computed once with the authors'
/// call (Fixtures/paper-spectrogram.json, made by build/make-spectrogram-fixture.py): same window, per-frame mean
/// removal, power spectral density scaling, log(x + 1e-7) and z-score, on a 0.25 s signal with a DC offset, tones,
/// a chirp and a square wave.
/// </summary>
[TestClass]
public sealed class PaperSpectrogramTests
{
    private sealed record Fixture(int SampleRate, int WindowSize, int HopLength, int Bins, int Frames, string Signal, string LogPower,
        string Standardised);

    private static readonly Fixture Data = JsonSerializer.Deserialize<Fixture>(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "paper-spectrogram.json")),
        JsonSerializerOptions.Web)!;

    private static float[] Floats(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        var values = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    private static float[] Spectrogram(bool standardize)
    {
        var signal = Floats(Data.Signal);
        var settings = AudioSpectrogramEstimator.Options.PaperPreset()
            .Settings() with
        { Samples = signal.Length, Standardize = standardize };
        using var session = new InferenceSession(SpectrogramOnnxExport.ToBytes(settings, "signal", "spectrogram"));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("signal", new DenseTensor<float>(signal, [signal.Length]))]);
        var output = results[0].AsEnumerable<float>().ToArray();
        Assert.HasCount(Data.Bins * Data.Frames, output);
        return output;
    }

    [TestMethod]
    public void PresetIsTheAuthorsScipyCall()
    {
        var settings = AudioSpectrogramEstimator.Options.PaperPreset().Settings();
        Assert.AreEqual((Data.SampleRate, Data.WindowSize, Data.HopLength), (settings.SampleRate, settings.WindowSize, settings.HopLength));
        Assert.AreEqual((257, 1004), (settings.Bins, settings.Frames));
    }

    // float32 against scipy's float64: within 1e-3 in log units where the power is well above the 1e-7 floor, and
    // within 0.05 where float32 rounding of a tiny power meets the floor.
    [TestMethod]
    public void LogPowerSpectralDensityMatchesScipy()
    {
        var expected = Floats(Data.LogPower);
        var actual = Spectrogram(standardize: false);
        var floor = Math.Log(1e-7) + 1;
        var worstAboveFloor = expected.Zip(actual).Where(p => p.First > floor).Max(p => Math.Abs(p.First - p.Second));
        var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.IsLessThan(1e-3, worstAboveFloor, $"worst log-power difference above the floor: {worstAboveFloor}");
        Assert.IsLessThan(0.05, worst, $"worst log-power difference: {worst}");
    }

    [TestMethod]
    public void StandardisedSpectrogramMatchesScipy()
    {
        var expected = Floats(Data.Standardised);
        var actual = Spectrogram(standardize: true);
        var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.IsLessThan(1e-2, worst, $"worst standardised difference: {worst}");
    }

    [TestMethod]
    public void TukeyWindowIsScipysPeriodicTukey()
    {
        var window = SpectrogramOnnxExport.TukeyWindow(512, 0.25);
        Assert.AreEqual(0f, window[0]);
        Assert.AreEqual(1f, window[256]);
        Assert.AreEqual(window[1], window[511], 1e-6f, "periodic: symmetric about N/2");
        Assert.AreEqual(0.5, window[32], 1e-6, "half way up the taper (64 points at α = 0.25, N + 1 = 513)");
    }
}
