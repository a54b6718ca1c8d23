using DiMml.Serving.Audio;
using DiMml.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

[TestClass]
public sealed class AudioSpectrogramTests
{
    public sealed class AudioRow
    {
        public string Path { get; set; } = "";
    }

    private static string folder = "";

    [ClassInitialize]
    public static void CreateFolder(TestContext _) => folder = Directory.CreateTempSubdirectory("dimml-audio-").FullName;

    [ClassCleanup]
    public static void DeleteFolder() => Directory.Delete(folder, recursive: true);

    private static string Wav(string name, float[] samples, int rate, bool asFloat = false, int channels = 1)
    {
        var path = Path.Combine(folder, name);
        WavWriter.Write(path, samples, rate, asFloat, channels);
        return path;
    }

    private static float[][] Spectrograms(MLContext ml, AudioSpectrogramEstimator.Options options, params string[] paths)
    {
        var data = ml.Data.LoadFromEnumerable(paths.Select(p => new AudioRow { Path = p }));
        using var transform = ml.Transforms.AudioSpectrogram("Spectrogram", "Path", options).Fit(data);
        return transform.Transform(data).GetColumn<float[]>("Spectrogram").ToArray();
    }

    private static readonly AudioSpectrogramEstimator.Options Magnitude = new() { Log = false, Standardize = false };

    // Frequency-major layout: bin b of frame t is at b * frames + t.
    private static int PeakBin(float[] spectrogram, int bins, int frames, int frame) =>
        Enumerable.Range(0, bins).MaxBy(b => spectrogram[b * frames + frame]);

    [TestMethod]
    public void ToneOfKnownFrequencyPeaksInItsBin()
    {
        var ml = new MLContext(seed: 0);
        var tone = Wav("tone1k.wav", WavWriter.Tone(1000, 3, 16000), 16000);
        foreach (var options in new[] { Magnitude, new AudioSpectrogramEstimator.Options() })
        {
            var spectrogram = Spectrograms(ml, options, tone)[0];
            Assert.HasCount(257 * 301, spectrogram);
            Assert.AreEqual(32, PeakBin(spectrogram, 257, 301, 150), "1 kHz at 16 kHz with a 512-point FFT is bin 1000 / 31.25 = 32");
        }
    }

    [TestMethod]
    public void SameSignalAt8And16KilohertzGivesTheSameSpectrogram()
    {
        var ml = new MLContext(seed: 0);
        var low = Wav("tone8k.wav", WavWriter.Tone(440, 3, 8000).Zip(WavWriter.Tone(1300, 3, 8000), (a, b) => a + b / 2).ToArray(), 8000);
        var high = Wav("tone16k.wav", WavWriter.Tone(440, 3, 16000).Zip(WavWriter.Tone(1300, 3, 16000), (a, b) => a + b / 2).ToArray(),
            16000);
        var spectrograms = Spectrograms(ml, Magnitude, low, high);
        var (a, b) = (spectrograms[0], spectrograms[1]);
        var difference = Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());
        var norm = Math.Sqrt(b.Sum(y => (double)y * y));
        Assert.IsLessThan(0.02, difference / norm, $"relative L2 difference {difference / norm}");
    }

    [TestMethod]
    public void StereoAndFloatFilesDecodeLikeMonoPcm()
    {
        var tone = WavWriter.Tone(700, 1, 16000);
        var mono = WavFile.ReadMono(Wav("mono.wav", tone, 16000)).Samples;
        var stereo = WavFile.ReadMono(Wav("stereo.wav", tone, 16000, channels: 2)).Samples;
        var floats = WavFile.ReadMono(Wav("float.wav", tone, 16000, asFloat: true)).Samples;
        CollectionAssert.AreEqual(mono, stereo);
        Assert.IsTrue(mono.Zip(floats).All(p => Math.Abs(p.First - p.Second) < 1e-4), "16-bit quantisation only");
    }

    [TestMethod]
    public void ShortClipsAreTiledAndLongOnesCropped()
    {
        var shortClip = Wav("short.wav", WavWriter.Tone(300, 0.4, 16000), 16000);
        var output = new float[48000];
        AudioDecoding.Decode(shortClip, 16000, output);
        for (var i = 0; i < 48000 - 6400; i += 997)
        {
            Assert.AreEqual(output[i], output[i + 6400], $"sample {i}");
        }

        var longClip = Wav("long.wav", WavWriter.Tone(300, 5, 16000), 16000);
        AudioDecoding.Decode(longClip, 16000, output);
        Assert.AreEqual(WavFile.ReadMono(longClip).Samples[47999], output[47999]);
    }

    [TestMethod]
    public void BadFilesFailFitWithTheirNameOrBecomeMissingRows()
    {
        var ml = new MLContext(seed: 0);
        var good = Wav("good.wav", WavWriter.Tone(500, 1, 16000), 16000);
        var empty = Path.Combine(folder, "empty.wav");
        File.WriteAllBytes(empty, []);
        var text = Path.Combine(folder, "notes.wav");
        File.WriteAllText(text, "not audio");
        var truncated = Path.Combine(folder, "truncated.wav");
        File.WriteAllBytes(truncated, File.ReadAllBytes(good)[..30]);
        var data = ml.Data.LoadFromEnumerable(new[] { good, empty, text, truncated, Path.Combine(folder, "missing.wav") }.Select(p =>
            new AudioRow { Path = p }));

        var error = Assert.Throws<ArgumentException>(() => ml.Transforms.AudioSpectrogram("Spectrogram", "Path").Fit(data));
        StringAssert.Contains(error.Message, "4 audio file(s)");
        StringAssert.Contains(error.Message, "empty.wav");

        using var transform = ml.Transforms.AudioSpectrogram("Spectrogram", "Path",
            new AudioSpectrogramEstimator.Options { SkipInvalidFiles = true }).Fit(data);
        var scored = transform.Transform(data);
        var spectrograms = scored.GetColumn<float[]>("Spectrogram").ToArray();
        var errors = scored.GetColumn<string>("Spectrogram.Error").ToArray();
        Assert.IsTrue(spectrograms[0].All(float.IsFinite));
        Assert.AreEqual("", errors[0]);
        for (var i = 1; i < 5; i++)
        {
            Assert.IsTrue(spectrograms[i].All(float.IsNaN), $"row {i}");
            Assert.AreNotEqual("", errors[i]);
        }

        StringAssert.Contains(errors[2], "not a RIFF/WAVE file");
        StringAssert.Contains(errors[3], "truncated");
    }

    [TestMethod]
    public void ServingSpectrogramEqualsTrainingSpectrogramAfterSaveAndLoad()
    {
        var ml = new MLContext(seed: 0);
        var paths = new[] { Wav("a.wav", WavWriter.Tone(220, 2, 22050), 22050),
            Wav("b.wav", WavWriter.Tone(880, 3, 16000), 16000, channels: 2) };
        var data = ml.Data.LoadFromEnumerable(paths.Select(p => new AudioRow { Path = p }));
        var options = new AudioSpectrogramEstimator.Options { Seconds = 2, MelBins = 64 };
        var model = ml.Transforms.AudioSpectrogram("Spectrogram", "Path", options).Fit(data);
        var before = model.Transform(data).GetColumn<float[]>("Spectrogram").ToArray();
        Assert.HasCount(64 * 201, before[0]);
        var path = Path.Combine(folder, "audio-model.zip");
        ml.Model.Save(model, data.Schema, path);

        var serving = new MLContext();
        serving.ComponentCatalog.RegisterAssembly(typeof(AudioDecodeContracts).Assembly);
        var loaded = serving.Model.Load(path, out _);
        var after = loaded.Transform(data).GetColumn<float[]>("Spectrogram").ToArray();
        for (var i = 0; i < before.Length; i++)
        {
            CollectionAssert.AreEqual(before[i], after[i]);
        }

        (loaded as IDisposable)?.Dispose();
        model.Dispose();
    }
}
