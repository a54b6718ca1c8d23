using DiMml.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

[TestClass]
public sealed class AudioModalityTests
{
    public sealed class AudioVisualRow
    {
        public string Label { get; set; } = "";

        public string Audio { get; set; } = "";

        [VectorType(TwoViewRow.Size)]
        public float[] Image { get; set; } = [];
    }

    // Class c sounds at a class-dependent pitch (with noise); the image view is the synthetic cluster data.
    private static AudioVisualRow[] Rows(string folder, int count, int sample)
    {
        var random = new Random(sample);
        var images = TwoViewRows.Make(count, seed: 70, sample: sample);
        return images.Select((image, i) =>
        {
            var c = Array.IndexOf(TwoViewRows.ClassNames, image.Label);
            var tone = WavWriter.Tone(300 * (c + 1), 0.6 + 0.4 * random.NextDouble(), 16000, amplitude: 0.3)
                .Select(v => v + (float)(0.05 * Synthetic.Gaussian(random))).ToArray();
            var path = Path.Combine(folder, $"{sample}-{i}.wav");
            WavWriter.Write(path, tone, 16000);
            return new AudioVisualRow { Label = image.Label, Audio = path, Image = image.Top };
        }).ToArray();
    }

    [TestMethod]
    [TestCategory(TestCategories.Integration)]
    public void AudioVisualModelTrainsAndServesInAFreshProcessWithoutTorchSharp()
    {
        var folder = Directory.CreateTempSubdirectory("dimml-av-").FullName;
        try
        {
            var ml = new MLContext(seed: 0);
            var train = ml.Data.LoadFromEnumerable(Rows(folder, 150, sample: 0));
            var test = ml.Data.LoadFromEnumerable(Rows(folder, 45, sample: 1));
            var spectrogram = new AudioSpectrogramEstimator.Options
            {
                Seconds = 1,
                WindowSize = 256,
                HopLength = 256,
                Center = false,
                MelBins = 32
            };
            // An MLP on the flattened spectrogram keeps this serving test fast and stable; the audio example uses ResNet-18.
            var options = new DiMmlTrainer.Options
            {
                Epochs = 8,
                BatchSize = 16,
                LearningRate = 0.02,
                EmbeddingSize = 16,
                FusionEpochs = 2,
                Seed = 0,
                NumberOfThreads = 1
            };
            options.Modalities.Add(new ModalityOptions { Name = "audio", ColumnName = "Spectrogram", HiddenSizes = [32] });
            options.Modalities.Add(new ModalityOptions { Name = "image", ColumnName = "Image", HiddenSizes = [16] });
            var model = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.AudioSpectrogram("Spectrogram", "Audio", spectrogram))
                .Append(ml.MulticlassClassification.Trainers.DiMml(options))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
                .Fit(train);
            var scored = model.Transform(test);
            var accuracy = ml.MulticlassClassification.Evaluate(scored).MicroAccuracy;
            var audioOnly = scored.GetColumn<float[]>("Score.audio")
                .Zip(scored.GetColumn<uint>("Label"), (s, y) => Array.IndexOf(s, s.Max()) + 1 == y).Count(c => c) / 45.0;
            Assert.IsGreaterThanOrEqualTo(0.9, accuracy, $"fused {accuracy}, audio head {audioOnly}");

            FreshProcessScoring.AssertSameScores(ml, model, train.Schema, test, folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
