using DiMml.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Transforms.Image;

namespace DiMml.MLNet.Tests;

[TestClass]
public sealed class ImagePipelineTests
{
    public sealed class ViewFiles
    {
        public string Label { get; set; } = "";

        public string Front { get; set; } = "";

        public string Rear { get; set; } = "";
    }

    public sealed class Scores
    {
        public string PredictedLabel { get; set; } = "";

        public float[] Score { get; set; } = [];
    }

    // Class c draws a bright horizontal band (front) and a vertical band (rear) at a class-dependent place, with noise.
    private static ViewFiles[] WriteImages(string folder, int count, int seed)
    {
        var random = new Random(seed);
        var classes = new[] { "low", "middle", "high" };
        return Enumerable.Range(0, count).Select(i =>
        {
            var c = i % 3;
            byte[,] Draw(bool vertical)
            {
                var pixels = new byte[20, 20];
                for (var y = 0; y < 20; y++)
                {
                    for (var x = 0; x < 20; x++)
                    {
                        var inBand = ((vertical ? x : y) / 7) == c;
                        pixels[y, x] = (byte)Math.Clamp((inBand ? 180 : 40) + random.Next(-30, 31), 0, 255);
                    }
                }

                return pixels;
            }

            var row = new ViewFiles { Label = classes[c], Front = $"f{seed}_{i}.png", Rear = $"r{seed}_{i}.png" };
            PngWriter.WriteGrey(Path.Combine(folder, row.Front), Draw(false));
            PngWriter.WriteGrey(Path.Combine(folder, row.Rear), Draw(true));
            return row;
        }).ToArray();
    }

    // The paper's recipe (resized crops per frame, per-channel normalisation inside the model, stage 2 on augmented
    // batches) through ML.NET: the normalisation is part of the saved model, so Save/Load scores the same.
    [TestMethod]
    [DataRow(false, DisplayName = "pad-crop")]
    [DataRow(true, DisplayName = "paper recipe")]
    public void PngViewsTrainWithResNetSaveLoadAndPredictTheSame(bool paperRecipe)
    {
        var folder = Directory.CreateTempSubdirectory("dimml-images-").FullName;
        try
        {
            var ml = new MLContext(seed: 0);
            var train = ml.Data.LoadFromEnumerable(WriteImages(folder, 150, seed: 1));
            var test = ml.Data.LoadFromEnumerable(WriteImages(folder, 60, seed: 2));
            var options = new DiMmlTrainer.Options
            {
                Epochs = 4,
                BatchSize = 16,
                LearningRate = 0.05,
                EmbeddingSize = 16,
                FusionEpochs = 2,
                Seed = 0
            };
            foreach (var view in new[] { "Front", "Rear" })
            {
                options.Modalities.Add(new ModalityOptions
                {
                    Name = view.ToLowerInvariant(),
                    ColumnName = $"{view}Pixels",
                    Encoder = EncoderKind.ResNet18,
                    Shape = new(1, 1, 16, 16),
                    Augmentation = paperRecipe ? Augmentation.Paper : Augmentation.PadCrop(1),
                    Normalization = paperRecipe ? new ChannelNormalization([0.3f], [0.4f]) : null,
                });
            }

            options.FusionFeatures = paperRecipe ? FusionFeatures.AugmentedBatches
                : FusionFeatures.EncodedOnce;

            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.LoadImages("FrontImage", folder, "Front"))
                .Append(ml.Transforms.LoadImages("RearImage", folder, "Rear"))
                .Append(ml.Transforms.ResizeImages("FrontImage", 16, 16))
                .Append(ml.Transforms.ResizeImages("RearImage", 16, 16))
                .Append(ml.Transforms.ExtractPixels("FrontPixels", "FrontImage", ImagePixelExtractingEstimator.ColorBits.Red,
                    scaleImage: 1f / 255))
                .Append(ml.Transforms.ExtractPixels("RearPixels", "RearImage", ImagePixelExtractingEstimator.ColorBits.Red,
                    scaleImage: 1f / 255))
                .Append(ml.MulticlassClassification.Trainers.DiMml(options))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
            var model = pipeline.Fit(train);
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
            Assert.IsGreaterThanOrEqualTo(0.9, metrics.MicroAccuracy, $"accuracy {metrics.MicroAccuracy}");
            var diagnostics = ((IEnumerable<ITransformer>)model).OfType<DiMmlTransformer>().Single().Diagnostics;
            Assert.AreEqual(options.FusionFeatures, diagnostics.FusionFeatures);

            var path = Path.Combine(folder, "model.zip");
            ml.Model.Save(model, train.Schema, path);
            var loaded = new MLContext().Model.Load(path, out _);
            var before = ml.Data.CreateEnumerable<Scores>(model.Transform(test), false).ToArray();
            var after = ml.Data.CreateEnumerable<Scores>(loaded.Transform(test), false).ToArray();
            for (var i = 0; i < before.Length; i++)
            {
                Assert.AreEqual(before[i].PredictedLabel, after[i].PredictedLabel);
                CollectionAssert.AreEqual(before[i].Score, after[i].Score);
            }

            (loaded as IDisposable)?.Dispose();
            (model as IDisposable)?.Dispose();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void DeclaredShapeThatDoesNotMatchTheColumnIsNamedBeforeTraining()
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(TwoViewRows.Make(30, seed: 1));
        var options = TwoViewRows.SmallOptions();
        options.Modalities[0].Encoder = EncoderKind.ResNet18;
        options.Modalities[0].Shape = new(1, 1, 3, 3);
        var error = Assert.Throws<ArgumentException>(() => TwoViewRows.Pipeline(ml, options).Fit(data));
        StringAssert.Contains(error.Message, "'top'");
        StringAssert.Contains(error.Message, "holds 8");
    }
}
