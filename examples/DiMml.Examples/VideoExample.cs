using System.Diagnostics;
using DiMml.TestSupport;
using DiMml.Torch.Training;
using Microsoft.ML;

namespace DiMml.Examples;

/// <summary>
/// Action recognition in miniature, the paper's RGB + optical-flow setting: generated video files (OpenCV's VideoWriter, MJPG)
/// of a shape moving over a dark noisy background. The class is the appearance (a red or blue disc or square) and the motion
/// (slowly right, fast right, fast left): 12 classes. One RGB frame shows the appearance but not the motion; the flow between
/// frames shows the motion and the outline but not the colour (red and blue are drawn at the same brightness, and flow is
/// computed on grey frames). The clips go through <c>VideoFrames</c> and <c>OpticalFlow</c> into ResNet-18 encoders, streamed
/// from the files every epoch (MemoryBudgetBytes is small); prints test accuracy of each unimodal baseline, joint training,
/// LightGBM on the decoded values and DI-MML.
/// </summary>
internal static class VideoExample
{
    // Equal luminance (0.299 R + 0.587 G + 0.114 B = 112 and 109): grey frames cannot tell them apart.
    private static readonly (string Name, (int R, int G, int B) Colour)[] Colours = [("red", (210, 70, 70)), ("blue", (90, 90, 255))];

    private static readonly (string Name, double Speed)[] Motions = [("slow right", 1.5), ("fast right", 3.5), ("fast left", -3.5)];

    private sealed class Row
    {
        public string Label { get; set; } = "";

        public string Clip { get; set; } = "";
    }

    public static int Run(ExampleArguments args)
    {
        var folder = Directory.CreateTempSubdirectory("dimml-video-").FullName;
        try
        {
            var clips = args.MaxRows ?? 3000;
            var watch = Stopwatch.StartNew();
            var rows = WriteClips(folder, clips, new Random((int)args.Seed));
            var isTest = rows.Select((_, i) => i % 5 == 4).ToArray();
            Console.WriteLine($"{rows.Length} clips (64 x 64, 12 frames, MJPG) written in {watch.Elapsed.TotalSeconds:F0} s: " +
                $"{isTest.Count(t => !t)} train, {isTest.Count(t => t)} test; 12 classes = appearance x motion");
            var ml = new MLContext(seed: 0);
            var train = ml.Data.LoadFromEnumerable(rows.Where((_, i) => !isTest[i]));
            var test = ml.Data.LoadFromEnumerable(rows.Where((_, i) => isTest[i]));
            var rgb = new VideoFramesOptions { Frames = 1, Height = 32, Width = 32 };
            var flow = new OpticalFlowOptions { Frames = 4, Height = 32, Width = 32, Bound = 8 };
            var features = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.VideoFrames("Rgb", "Clip", rgb))
                .Append(ml.Transforms.OpticalFlow("Flow", "Clip", flow)).Fit(train);
            // Not cached: every epoch decodes the clips again, within the trainers' memory budget.
            var (trainFeatures, testFeatures) = (features.Transform(train), features.Transform(test));
            // Streamed: a small memory budget, so every epoch reads (and decodes) the clips again.
            T Settings<T>(T options, params ModalityOptions[] modalities) where T : TrainerOptions
            {
                ExampleTrainerOptions.With(options, args, modalities).MemoryBudgetBytes = 32 << 20;
                return options;
            }

            var rgbModality = new ModalityOptions { Name = "rgb", ColumnName = "Rgb", Encoder = EncoderKind.ResNet18, Shape = rgb.Shape };
            var flowModality = new ModalityOptions
            {
                Name = "flow",
                ColumnName = "Flow",
                Encoder = EncoderKind.ResNet18,
                Shape = flow.Shape,
            };
            var trainers = ml.MulticlassClassification.Trainers;
            Console.WriteLine($"{"method",-18} {"test acc",9} {"train s",8}");
            Report(ml, "unimodal rgb", () => trainers.Unimodal(Settings(new UnimodalTrainer.Options(), rgbModality)), trainFeatures,
                testFeatures);
            Report(ml, "unimodal flow", () => trainers.Unimodal(Settings(new UnimodalTrainer.Options(), flowModality)), trainFeatures,
                testFeatures);
            Report(ml, "joint (concat)", () => trainers.JointMultimodal(
                Settings(new JointMultimodalTrainer.Options(), rgbModality, flowModality)), trainFeatures, testFeatures);
            Report(ml, "LightGBM", () => ml.Transforms.Concatenate("Features", "Rgb", "Flow")
                .Append(trainers.LightGbm("Label", "Features")), trainFeatures, testFeatures);
            Report(ml, "DI-MML", () => trainers.DiMml(Settings(new DiMmlTrainer.Options { FusionEpochs = 5 }, rgbModality, flowModality)),
                trainFeatures, testFeatures);
            (features as IDisposable)?.Dispose();
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Row[] WriteClips(string folder, int count, Random random) => Enumerable.Range(0, count).Select(i =>
    {
        var (appearance, motion) = (i % 4, i / 4 % 3);
        var (colour, square) = (Colours[appearance / 2], appearance % 2 == 1);
        var velocity = (Motions[motion].Speed * (0.85 + 0.3 * random.NextDouble()), random.NextDouble() - 0.5);
        // Where the shape is in the middle frame (the one RGB sees) does not depend on the motion.
        var middle = (16 + 32 * random.NextDouble(), 16 + 32 * random.NextDouble());
        var start = (middle.Item1 - 6 * velocity.Item1, middle.Item2 - 6 * velocity.Item2);
        var path = Path.Combine(folder, $"{i}.avi");
        ClipWriter.Write(path, new MovingShape(square, colour.Colour, velocity, start, 7 + random.Next(3)), frames: 12, size: 64,
            noise: 10, seed: i, background: 30);
        return new Row { Label = $"{colour.Name} {(square ? "square" : "disc")}, {Motions[motion].Name}", Clip = path };
    }).ToArray();

    private static void Report(MLContext ml, string method, Func<IEstimator<ITransformer>> trainer, IDataView train, IDataView test)
    {
        var watch = Stopwatch.StartNew();
        var model = trainer().Fit(train);
        var seconds = watch.Elapsed.TotalSeconds;
        var accuracy = ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        Console.WriteLine($"{method,-18} {accuracy,9:P1} {seconds,8:F1}");
        (model as IDisposable)?.Dispose();
    }
}
