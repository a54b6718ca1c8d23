using System.Diagnostics;
using DiMml.Serving.Audio;
using DiMml.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.Examples;

/// <summary>
/// Audio-visual DI-MML on real speech: each Fashion-MNIST class name is spoken by espeak-ng with several voices,
/// speeds and pitches, with added noise, and paired with a real image of that class. The WAV paths go through
/// <c>AudioSpectrogram</c> (mel spectrogram) into a ResNet-18 encoder; the image pixels into an MLP. Prints test
/// accuracy of each unimodal baseline, joint training and DI-MML. Needs Debian's espeak-ng.
/// </summary>
internal static class AudioVisualExample
{
    private sealed class Row
    {
        public string Label { get; set; } = "";

        public string Audio { get; set; } = "";

        [VectorType(28 * 28)]
        public float[] Image { get; set; } = [];
    }

    public static int Run(ExampleArguments args)
    {
        var source = args.DataFolder ?? Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-small");
        var folder = Directory.CreateTempSubdirectory("dimml-speech-").FullName;
        try
        {
            var images = TwoViewFashionMnist.Rows(source, "train");
            var random = new Random((int)args.Seed);
            var clips = args.MaxRows ?? 60;
            var rows = Speak(folder, images, clips, random);
            // Every fourth clip of each class is held out. Rows cycle through the classes (clip k of every class, then clip
            // k + 1), so the clip number is i / classes; i % 4 held out only the odd classes, which then had half the training
            // rows of the others (0.0 % at two epochs).
            var classes = TwoViewFashionMnist.ClassNames.Length;
            var isTest = rows.Select((_, i) => i / classes % 4 == 3).ToArray();
            var ml = new MLContext(seed: 0);
            var train = ml.Data.LoadFromEnumerable(rows.Where((_, i) => !isTest[i]));
            var test = ml.Data.LoadFromEnumerable(rows.Where((_, i) => isTest[i]));
            var voices = SpokenWords.Voices.Count * SpokenWords.Variants.Count;
            Console.WriteLine($"{rows.Length} spoken class names ({voices} voices, speeds 120-200 wpm, pitch " +
                $"20-80, noise) paired with Fashion-MNIST images: {isTest.Count(t => !t)} train, {isTest.Count(t => t)} test");

            var spectrogram = new AudioSpectrogramEstimator.Options { Seconds = 1, MelBins = 64 };
            var features = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.AudioSpectrogram("Spectrogram", "Audio", spectrogram)).Fit(train);
            var trainFeatures = ml.Data.Cache(features.Transform(train));
            var testFeatures = features.Transform(test);
            var audio = new ModalityOptions
            {
                Name = "audio",
                ColumnName = "Spectrogram",
                Encoder = EncoderKind.ResNet18,
                Shape = new(1, 1, spectrogram.Bins, spectrogram.Frames)
            };
            var image = new ModalityOptions { Name = "image", ColumnName = "Image", HiddenSizes = [256] };

            Console.WriteLine($"{"method",-18} {"test acc",9} {"audio",7} {"image",7} {"train s",8}");
            Report(ml, "unimodal audio", ExampleTrainerOptions.With(new UnimodalTrainer.Options(), args, audio), o =>
                ml.MulticlassClassification.Trainers.Unimodal(o), trainFeatures, testFeatures);
            Report(ml, "unimodal image", ExampleTrainerOptions.With(new UnimodalTrainer.Options(), args, image), o =>
                ml.MulticlassClassification.Trainers.Unimodal(o), trainFeatures, testFeatures);
            Report(ml, "joint (concat)",
                ExampleTrainerOptions.With(new JointMultimodalTrainer.Options { ProbeEvaluationSet = testFeatures }, args, audio, image),
                o => ml.MulticlassClassification.Trainers.JointMultimodal(o), trainFeatures, testFeatures);
            Report(ml, "DI-MML", ExampleTrainerOptions.With(new DiMmlTrainer.Options { FusionEpochs = 5 }, args, audio, image), o =>
                ml.MulticlassClassification.Trainers.DiMml(o), trainFeatures, testFeatures);
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // clips per class, each with a random voice, speed and pitch, then white noise at a random level.
    private static Row[] Speak(string folder, FashionRow[] images, int clipsPerClass, Random random)
    {
        var byClass = images.GroupBy(r => r.Label).ToDictionary(g => g.Key, g => g.ToArray());
        var rows = new List<Row>();
        for (var k = 0; k < clipsPerClass; k++)
        {
            foreach (var label in TwoViewFashionMnist.ClassNames)
            {
                var path = Path.Combine(folder, $"{rows.Count}.wav");
                var voice = SpokenWords.RandomVoice(random);
                var text = label.Replace("/", " or ", StringComparison.Ordinal);
                SpokenWords.Speak(path, text, voice, random.Next(120, 201), random.Next(20, 81));
                var (samples, rate) = WavFile.ReadMono(path);
                var noise = 0.002 + 0.03 * random.NextDouble();
                WavWriter.Write(path, samples.Select(s => s + (float)(noise * NextGaussian(random))).ToArray(), rate);
                var picture = byClass[label][random.Next(byClass[label].Length)];
                rows.Add(new Row { Label = label, Audio = path, Image = [.. picture.Top, .. picture.Bottom] });
            }
        }

        return rows.ToArray();
    }

    private static void Report<T>(MLContext ml, string method, T options, Func<T, IEstimator<ITransformer>> trainer, IDataView train,
        IDataView test)
    {
        var watch = Stopwatch.StartNew();
        var model = trainer(options).Fit(train);
        var seconds = watch.Elapsed.TotalSeconds;
        var scored = model.Transform(test);
        var labels = scored.GetColumn<uint>("Label").ToArray();
        string Head(string name) => model switch
        {
            MultimodalBaselineTransformer { Diagnostics.ProbeAccuracy: { Count: > 0 } probes } =>
                probes.TryGetValue(name, out var a) ? $"{a:P1}" : "-",
            _ when scored.Schema.GetColumnOrNull(DiMmlColumns.ModalityScore(name)) is not null =>
                $"{Quickstart.HeadAccuracy(scored, DiMmlColumns.ModalityScore(name), labels):P1}",
            _ => "-",
        };
        Console.WriteLine($"{method,-18} {ml.MulticlassClassification.Evaluate(scored).MicroAccuracy,9:P1} {Head("audio"),7} " +
            $"{Head("image"),7} {seconds,8:F1}");
        (model as IDisposable)?.Dispose();
    }

    private static double NextGaussian(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
