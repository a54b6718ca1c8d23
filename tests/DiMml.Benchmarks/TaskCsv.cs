using System.Globalization;
using DiMml.Torch.Data;

namespace DiMml.Benchmarks;

/// <summary>Writes fusion-suite tasks as delimited files for <c>dimml compare</c>: per task a folder with <c>train.csv</c> and
/// <c>test.csv</c>, a <c>Label</c> column and each view's features as <c>{view}0</c>, <c>{view}1</c>, ... (the seed-0 rows).</summary>
internal static class TaskCsv
{
    public static IEnumerable<string> Write(IEnumerable<FusionTask> tasks, string folder)
    {
        foreach (var task in tasks)
        {
            var (train, test) = task.Load(0);
            using (train)
            using (test)
            {
                var target = Directory.CreateDirectory(Path.Combine(folder, task.Name)).FullName;
                Write(train, task.Views, Path.Combine(target, "train.csv"));
                Write(test, task.Views, Path.Combine(target, "test.csv"));
                var modalities = task.Views.Select((v, m) => $"--modality {v}={v}0-{v}{train.FeatureSizes[m] - 1}");
                yield return $"{task.Name}: {target}/train.csv and test.csv; compare with --label Label {string.Join(' ', modalities)}";
            }
        }
    }

    private static void Write(MultimodalDataset data, string[] views, string path)
    {
        var features = Enumerable.Range(0, data.ModalityCount).Select(m => data.Features(m).cpu().data<float>().ToArray()).ToArray();
        var labels = data.Labels.cpu().data<long>().ToArray();
        using var writer = new StreamWriter(path);
        writer.WriteLine(string.Join(',', views.SelectMany((v, m) => Enumerable.Range(0, data.FeatureSizes[m]).Select(i => $"{v}{i}"))
            .Prepend("Label")));
        for (var row = 0; row < labels.Length; row++)
        {
            var cells = features.SelectMany((f, m) => f.AsSpan(row * data.FeatureSizes[m], data.FeatureSizes[m]).ToArray())
                .Select(value => value.ToString("G6", CultureInfo.InvariantCulture));
            writer.WriteLine(string.Join(',', cells.Prepend(labels[row].ToString(CultureInfo.InvariantCulture))));
        }
    }
}
