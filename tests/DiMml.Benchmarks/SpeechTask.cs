using System.Globalization;
using DiMml.Serving.Audio;
using DiMml.TestSupport;
using DiMml.Torch.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.Benchmarks;

/// <summary>
/// The fusion suite's audio-visual task from real files: each Fashion-MNIST class name spoken by espeak-ng (random English voice,
/// speed and pitch; white noise at a signal-to-noise ratio drawn from -25 to +5 dB, so many words are lost in noise; cut to one
/// second) paired with a random image of that class. Neither view is perfect alone: noisy or cut words, and images of look-alike
/// classes. The clips are generated once (seed 0) into a folder and reused; the data is the same for every training seed.
/// </summary>
internal static class SpeechTask
{
    private static readonly string[] ClassNames =
        ["T-shirt or top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"];

    public static FusionTask Create(FusionSuiteSettings settings)
    {
        var data = new Lazy<(float[][] Audio, float[][] Image, int[] Labels, bool[] IsTest, int AudioSize)>(() => Build(settings));
        return new FusionTask("speech", $"{settings.Clips} spoken class names (espeak-ng, noise at -25 to +5 dB SNR, 1 s, 40-bin log-mel " +
            "spectrogram) paired with a Fashion-MNIST image of the class; three quarters train, one quarter test", ["audio", "image"],
            false,
            _ =>
            {
                var (audio, image, labels, isTest, size) = data.Value;
                MultimodalDataset Split(bool test)
                {
                    var rows = Enumerable.Range(0, labels.Length).Where(i => isTest[i] == test).ToArray();
                    float[][] views = [rows.SelectMany(i => audio[i]).ToArray(), rows.SelectMany(i => image[i]).ToArray()];
                    return MultimodalDataset.FromArrays(views,
                        [size, 784], rows.Select(i => labels[i]).ToArray(), ClassNames.Length);
                }

                return (Split(false), Split(true));
            });
    }

    private const double MinSnr = -25;
    private const double MaxSnr = 5;

    private sealed class Clip
    {
        public string Audio { get; set; } = "";
    }

    private static (float[][] Audio, float[][] Image, int[] Labels, bool[] IsTest, int AudioSize) Build(FusionSuiteSettings settings)
    {
        Directory.CreateDirectory(settings.SpeechFolder);
        var train = FusionTasks.ImageSplit.Read(settings.DataFolder, "train");
        var test = FusionTasks.ImageSplit.Read(settings.DataFolder, "t10k");
        var random = new Random(0);
        var labels = Enumerable.Range(0, settings.Clips).Select(i => i % ClassNames.Length).ToArray();
        var isTest = labels.Select((_, i) => i / ClassNames.Length % 4 == 3).ToArray();
        var noisyFolder = Path.Combine(settings.SpeechFolder, string.Create(CultureInfo.InvariantCulture, $"snr{MinSnr}to{MaxSnr}"));
        var plans = labels.Select((y, i) => (Path: Path.Combine(noisyFolder, $"{i}.wav"), Voice: SpokenWords.RandomVoice(random),
            Speed: random.Next(140, 221), Pitch: random.Next(20, 81), Snr: MinSnr + (MaxSnr - MinSnr) * random.NextDouble(),
            Noise: random.Next())).ToArray();
        var images = labels.Select((y, i) => (isTest[i] ? test : train).Pixels((isTest[i] ? test : train).RandomOf(y, random), 0, 784))
            .ToArray();
        var clean = Directory.CreateDirectory(Path.Combine(settings.SpeechFolder, "clean")).FullName;
        Directory.CreateDirectory(noisyFolder);
        Parallel.For(0, plans.Length, i =>
        {
            var plan = plans[i];
            var speech = Path.Combine(clean, $"{i}.wav");
            if (!File.Exists(speech))
            {
                SpokenWords.Speak(speech + ".tmp", ClassNames[labels[i]], plan.Voice, plan.Speed, plan.Pitch);
                File.Move(speech + ".tmp", speech);
            }

            if (!File.Exists(plan.Path))
            {
                var (samples, rate) = WavFile.ReadMono(speech);
                WavWriter.Write(plan.Path + ".tmp", Noise.Add(samples, plan.Snr, new Random(plan.Noise)), rate);
                File.Move(plan.Path + ".tmp", plan.Path);
            }
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"speech: {plans.Length} clips in {settings.SpeechFolder}"));

        var ml = new MLContext(seed: 0);
        var clips = ml.Data.LoadFromEnumerable(plans.Select(p => new Clip { Audio = p.Path }));
        var options = new AudioSpectrogramEstimator.Options { Seconds = 1, MelBins = 40 };
        var spectrograms = ml.Transforms.AudioSpectrogram("Spectrogram", "Audio", options).Fit(clips).Transform(clips);
        var audio = spectrograms.GetColumn<float[]>("Spectrogram").ToArray();
        return (audio, images, labels, isTest, audio[0].Length);
    }
}
