using System.Diagnostics;
using DiMml.TestSupport;
using DiMml.Torch.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace DiMml.Examples;

/// <summary>
/// DI-MML with the paper's ResNet-18 encoders fed by an ML.NET image pipeline: the top and bottom halves of each
/// Fashion-MNIST image are written as PNG files (two camera-like views), then LoadImages → ResizeImages →
/// ExtractPixels per view
/// → DI-MML, with random crop augmentation during training.
/// </summary>
internal static class ImagesExample
{
    private sealed class ViewFiles
    {
        public string Label { get; set; } = "";

        public string Top { get; set; } = "";

        public string Bottom { get; set; } = "";
    }

    public static int Run(ExampleArguments args)
    {
        var source = args.DataFolder ?? Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-small");
        var folder = Directory.CreateTempSubdirectory("dimml-images-").FullName;
        try
        {
            var ml = new MLContext(seed: 0);
            var train = ml.Data.LoadFromEnumerable(WritePngs(folder, TwoViewFashionMnist.Rows(source, "train", args.MaxRows), "train"));
            var test = ml.Data.LoadFromEnumerable(WritePngs(folder, TwoViewFashionMnist.Rows(source, "t10k"), "test"));
            Console.WriteLine($"Wrote {train.GetRowCount() + test.GetRowCount()} image pairs (14x28 PNG halves) to {folder}");

            var options = new DiMmlTrainer.Options
            {
                Epochs = args.Epochs,
                BatchSize = 32,
                LearningRate = 0.02,
                EmbeddingSize = args.Embedding,
                FusionEpochs = 5,
                Seed = (int)args.Seed,
                NumberOfThreads = args.Threads,
                EpochCompleted = r => Console.WriteLine(
                    $"  {r.Stage} epoch {r.Epoch + 1}: loss {r.Losses[TermNames.Total]:F3}, " +
                    $"train acc {BranchAccuracies(r)}, {r.Elapsed.TotalSeconds:F1} s"),
            };
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label");
            IEstimator<ITransformer> chain = pipeline;
            foreach (var view in new[] { "Top", "Bottom" })
            {
                options.Modalities.Add(new ModalityOptions
                {
                    Name = view.ToLowerInvariant(),
                    ColumnName = $"{view}Pixels",
                    Encoder = EncoderKind.ResNet18,
                    Shape = new(1, 1, 14, 28),
                    Augmentation = Augmentation.PadCrop(2),
                });
                chain = chain
                    .Append(ml.Transforms.LoadImages($"{view}Image", folder, view))
                    .Append(ml.Transforms.ResizeImages($"{view}Image", imageWidth: 28, imageHeight: 14))
                    .Append(ml.Transforms.ExtractPixels($"{view}Pixels", $"{view}Image", ImagePixelExtractingEstimator.ColorBits.Red,
                        scaleImage: 1f / 255));
            }

            var watch = Stopwatch.StartNew();
            var model = chain.Append(ml.MulticlassClassification.Trainers.DiMml(options)).Fit(train);
            var seconds = watch.Elapsed.TotalSeconds;
            var scored = model.Transform(test);
            var metrics = ml.MulticlassClassification.Evaluate(scored);
            var labels = scored.GetColumn<uint>("Label").ToArray();
            var dimml = ((IEnumerable<ITransformer>)model).OfType<DiMmlTransformer>().Single();
            var epochSeconds = dimml.Diagnostics.History.Where(r => r.Stage == TrainingStage.Detached)
                .Average(r => r.Elapsed.TotalSeconds);
            Console.WriteLine();
            Console.WriteLine($"ResNet-18 (widths {options.EmbeddingSize / 8}..{options.EmbeddingSize}), {args.Epochs} epochs, " +
                $"{epochSeconds:F1} s per stage-1 epoch, {seconds:F0} s in all");
            Console.WriteLine($"  top half, modality head     {Quickstart.HeadAccuracy(scored, "Score.top", labels):P1}");
            Console.WriteLine($"  bottom half, modality head  {Quickstart.HeadAccuracy(scored, "Score.bottom", labels):P1}");
            Console.WriteLine($"  DI-MML fused           {metrics.MicroAccuracy:P1}");
            (model as IDisposable)?.Dispose();
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static ViewFiles[] WritePngs(string folder, FashionRow[] rows, string split) =>
        rows.Select((row, i) =>
        {
            var files = new ViewFiles { Label = row.Label, Top = $"{split}-{i}-top.png", Bottom = $"{split}-{i}-bottom.png" };
            PngWriter.WriteGrey(Path.Combine(folder, files.Top), ToBytes(row.Top));
            PngWriter.WriteGrey(Path.Combine(folder, files.Bottom), ToBytes(row.Bottom));
            return files;
        }).ToArray();

    private static byte[,] ToBytes(float[] half)
    {
        var pixels = new byte[14, 28];
        for (var p = 0; p < half.Length; p++)
        {
            pixels[p / 28, p % 28] = (byte)Math.Round(half[p] * 255);
        }

        return pixels;
    }

    // The modality heads' (and the fusion head's) training accuracies of an epoch, without the shared head's.
    private static string BranchAccuracies(EpochRecord record) => string.Join(" ", record.TrainAccuracy
        .Where(p => !p.Key.StartsWith(TermNames.SharedPrefix, StringComparison.Ordinal))
        .Select(p => $"{p.Key}={p.Value:P1}"));
}
