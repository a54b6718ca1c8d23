using System.Globalization;
using DiMml.TestSupport;
using DiMml.Torch.Training;
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

            var modelPath = Path.Combine(folder, "model.zip");
            var dataPath = Path.Combine(folder, "test.idv");
            var outputPath = Path.Combine(folder, "scores.tsv");
            ml.Model.Save(model, train.Schema, modelPath);
            using (var file = File.Create(dataPath))
            {
                ml.Data.SaveAsBinary(test, file);
            }

            var (exitCode, log) = ChildProcess.Run("dotnet",
                ChildProcess.BuiltBeside("DiMml.ServingCheck", "tests", "DiMml.ServingCheck.dll"), modelPath, dataPath, outputPath);
            Assert.AreEqual(0, exitCode, log);
            StringAssert.Contains(log, "TorchSharp loaded: False");
            var expected = ml.Data.CreateEnumerable<TwoViewPrediction>(scored, false).ToArray();
            var lines = File.ReadAllLines(outputPath);
            for (var i = 0; i < lines.Length; i++)
            {
                var parts = lines[i].Split('\t');
                Assert.AreEqual(expected[i].PredictedLabel, parts[0]);
                CollectionAssert.AreEqual(expected[i].Score, parts[1].Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture))
                    .ToArray());
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
