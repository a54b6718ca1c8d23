using DiMml.TestSupport;
using DiMml.Torch.Data;
using DiMml.Torch.Training;

namespace DiMml.Torch.Tests;

/// <summary>
/// DI-MML with a ResNet-18 modality trains while another thread collects garbage in a loop, at the input sizes, embedding sizes
/// and thread counts that crashed before issue 26's fix (a TorchSharp Scalar freed during its native call: "Expected false to
/// be true" in add_Tensor, or heap corruption). A failure here is an exception or the test host dying.
/// </summary>
[TestClass]
public sealed class GcPressureTests
{
    public static IEnumerable<object[]> Cases() =>
        from shape in new[] { (3, 32, 32), (3, 48, 48), (3, 64, 64), (3, 112, 112), (1, 64, 100) }
        from embedding in new[] { 32, 64, 128 }
        from threads in new[] { 1, 2 }
        select new object[] { shape.Item1, shape.Item2, shape.Item3, embedding, threads };

    [TestMethod]
    [TestCategory(TestCategories.Integration)]
    [DynamicData(nameof(Cases))]
    public void ResNetTrainsUnderGcPressure(int channels, int height, int width, int embedding, int threads)
    {
        const int rows = 64;
        var random = new Random(0);
        var pixels = new float[rows * channels * height * width];
        var vectors = new float[rows * 8];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)random.NextDouble();
        }

        for (var i = 0; i < vectors.Length; i++)
        {
            vectors[i] = (float)random.NextDouble();
        }

        using var data = MultimodalDataset.FromArrays([pixels, vectors], [channels * height * width, 8],
            Enumerable.Range(0, rows).Select(i => i % 4).ToArray(), 4);
        var options = new DiMmlOptions
        {
            Modalities =
            [
                new ModalityOptions("image") { Encoder = EncoderKind.ResNet18, Shape = new ModalityShape(channels, 1, height, width) },
                new ModalityOptions("vector") { HiddenSizes = [32] },
            ],
            Epochs = 2,
            BatchSize = 32,
            EmbeddingSize = embedding,
            Seed = 0,
            FusionEpochs = 1,
            NumberOfThreads = threads,
            Inference = InferenceFusion.CertaintyWeighting,
        };
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        })
        { IsBackground = true };
        collector.Start();
        try
        {
            using var model = new DiMmlLearner(options).Fit(data);
            Assert.IsTrue(double.IsFinite(model.Evaluate(data).Accuracy));
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
    }
}
