using DiMml.Torch.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Data;

/// <summary>Reads labelled rows of the modality columns from an <see cref="IDataView"/> into a <see cref="MultimodalDataset"/>.</summary>
internal static class TrainingData
{
    /// <summary>What the read skipped.</summary>
    public readonly record struct ReadCounts(long Rows, long MissingLabel, long NonFinite);

    /// <summary>Reads every row; rows with a missing label are skipped, rows with NaN/Inf features fail or are skipped.</summary>
    /// <remarks><paramref name="expectedRows"/> sizes the buffers up front, so reading does not hold several copies while lists
    /// grow.</remarks>
    public static (MultimodalDataset Data, ReadCounts Counts) Read(
        IDataView data, string labelColumn, IReadOnlyList<string> modalityColumns, int classCount, int[] sizes, bool dropNonFinite,
            string role,
        long expectedRows = 0)
    {
        var features = sizes.Select(size => new List<float>((int)Math.Min(int.MaxValue, expectedRows * size))).ToArray();
        var labels = new List<int>();
        var counts = Scan(data, labelColumn, modalityColumns, sizes, dropNonFinite, role, (_, label, dense) =>
        {
            for (var m = 0; m < dense.Length; m++)
            {
                features[m].AddRange(dense[m]);
            }

            labels.Add(label);
        });
        return (MultimodalDataset.FromArrays(features.Select(f => f.ToArray()).ToArray(), sizes, labels, classCount), counts);
    }

    /// <summary>
    /// Walks every row once. Rows with a missing label are skipped and counted; rows with NaN/Inf features are
    /// counted and fail the scan unless <paramref name="dropNonFinite"/>; each usable row goes to
    /// <paramref name="onUsable"/> with its source row number, 0-based class index and dense features (buffers reused).
    /// </summary>
    public static ReadCounts Scan(
        IDataView data, string labelColumn, IReadOnlyList<string> modalityColumns, int[] sizes, bool dropNonFinite, string role,
        Action<long, int, float[][]> onUsable)
    {
        var schema = data.Schema;
        long missingLabel = 0, nonFinite = 0, usable = 0, row = -1;
        (string Column, long Row)? firstBad = null;
        using (var cursor = data.GetRowCursor(modalityColumns.Select(name => schema[name]).Append(schema[labelColumn])))
        {
            var labelGetter = cursor.GetGetter<uint>(schema[labelColumn]);
            var getters = modalityColumns.Select(name => cursor.GetGetter<VBuffer<float>>(schema[name])).ToArray();
            var buffers = new VBuffer<float>[getters.Length];
            var dense = sizes.Select(size => new float[size]).ToArray();
            uint key = 0;
            while (cursor.MoveNext())
            {
                row++;
                labelGetter(ref key);
                if (key == 0)
                {
                    missingLabel++;
                    continue;
                }

                var badColumn = -1;
                for (var m = 0; m < getters.Length; m++)
                {
                    getters[m](ref buffers[m]);
                    buffers[m].CopyTo(dense[m]);
                    badColumn = badColumn < 0 && !AllFinite(dense[m]) ? m : badColumn;
                }

                if (badColumn >= 0)
                {
                    nonFinite++;
                    firstBad ??= (modalityColumns[badColumn], row);
                    continue;
                }

                usable++;
                onUsable(row, (int)key - 1, dense);
            }
        }

        ThrowIfUnusable(firstBad, nonFinite, row + 1, missingLabel, usable, dropNonFinite, labelColumn, role);
        return new ReadCounts(usable, missingLabel, nonFinite);
    }

    private static void ThrowIfUnusable(
        (string Column, long Row)? firstBad, long nonFinite, long rows, long missingLabel, long usable, bool dropNonFinite,
            string labelColumn, string role)
    {
        if (firstBad is { } bad && !dropNonFinite)
        {
            throw new ArgumentException(
                $"Modality column '{bad.Column}' has NaN or infinite values: {nonFinite} of {rows} {role} rows are affected (the first " +
                    $"is row {bad.Row}). " +
                "Clean or impute the data, or set DropRowsWithNonFiniteFeatures = true to skip such rows (their count is logged).",
                    bad.Column);
        }

        if (usable == 0)
        {
            throw new ArgumentException(
                $"The {role} data has no usable rows ({missingLabel} with a missing label, {nonFinite} with NaN/Inf features). Check the " +
                    $"data and the label column '{labelColumn}'.",
                labelColumn);
        }
    }

    private static bool AllFinite(float[] values)
    {
        foreach (var v in values)
        {
            if (!float.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }
}
