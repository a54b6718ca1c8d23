using DiMml.Torch.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Data;

/// <summary>Reads labelled rows of the modality columns from an <see cref="IDataView"/> into a <see cref="MultimodalDataset"/>.</summary>
internal static class TrainingData
{
    /// <summary>What the read skipped.</summary>
    public readonly record struct ReadCounts(long Rows, long MissingLabel, long NonFinite)
    {
        /// <summary>Rows skipped because their example weight is 0.</summary>
        public long ZeroWeight { get; init; }
    }

    /// <summary>Reads every row; rows with a missing label or weight 0 are skipped, rows with NaN/Inf features fail or are
    /// skipped.</summary>
    /// <remarks><paramref name="expectedRows"/> sizes the buffers up front, so reading does not hold several copies while lists
    /// grow. <paramref name="cancellation"/> is checked every 256 rows.</remarks>
    public static (MultimodalDataset Data, ReadCounts Counts) Read(IDataView data, ReadPlan plan, long expectedRows = 0,
        CancellationToken cancellation = default)
    {
        var features = plan.Sizes.Select(size => new List<float>((int)Math.Min(int.MaxValue, expectedRows * size))).ToArray();
        var labels = new List<int>();
        var weights = plan.WeightColumn is null ? null : new List<float>();
        var counts = Scan(data, plan, (_, label, weight, dense) =>
        {
            for (var m = 0; m < dense.Length; m++)
            {
                features[m].AddRange(dense[m]);
            }

            labels.Add(label);
            weights?.Add(weight);
        }, cancellation);
        return (MultimodalDataset.FromArrays(features.Select(f => f.ToArray()).ToArray(), plan.Sizes, labels, plan.ClassCount, weights),
            counts);
    }

    /// <summary>
    /// Walks every row once. Rows with a missing label or an example weight of 0 are skipped and counted; rows with NaN/Inf
    /// features are counted and fail the scan unless the plan drops them; a negative or non-finite weight fails it. Each usable
    /// row goes to <paramref name="onUsable"/> with its source row number, 0-based class index, weight (1 when unweighted) and
    /// dense features (buffers reused). <paramref name="cancellation"/> is checked every 256 rows.
    /// </summary>
    public static ReadCounts Scan(IDataView data, ReadPlan plan, Action<long, int, float, float[][]> onUsable,
        CancellationToken cancellation = default)
    {
        var schema = data.Schema;
        long missingLabel = 0, nonFinite = 0, zeroWeight = 0, usable = 0, row = -1;
        (string Column, long Row)? firstBad = null;
        var read = plan.ModalityColumns.Select(name => schema[name]).Append(schema[plan.LabelColumn]);
        using (var cursor = data.GetRowCursor(plan.WeightColumn is { } w ? read.Append(schema[w]) : read))
        {
            var labelGetter = cursor.GetGetter<uint>(schema[plan.LabelColumn]);
            var weightGetter = plan.WeightColumn is null ? null : WeightGetter(cursor, schema[plan.WeightColumn]);
            var getters = plan.ModalityColumns.Select(name => cursor.GetGetter<VBuffer<float>>(schema[name])).ToArray();
            var buffers = new VBuffer<float>[getters.Length];
            var dense = plan.Sizes.Select(size => new float[size]).ToArray();
            uint key = 0;
            while (cursor.MoveNext())
            {
                row++;
                if ((row & 255) == 0)
                {
                    cancellation.ThrowIfCancellationRequested();
                }

                labelGetter(ref key);
                if (key == 0)
                {
                    missingLabel++;
                    continue;
                }

                var weight = weightGetter?.Invoke() ?? 1f;
                if (!(weight >= 0 && float.IsFinite(weight)))
                {
                    throw new ArgumentException(
                        $"Example weight column '{plan.WeightColumn}' has the value {weight} in {plan.Role} row {row}; weights must be " +
                            "finite and >= 0 (0 skips the row). Fix or filter the weights earlier in the pipeline.", plan.WeightColumn);
                }

                if (weight == 0)
                {
                    zeroWeight++;
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
                    firstBad ??= (plan.ModalityColumns[badColumn], row);
                    continue;
                }

                usable++;
                onUsable(row, (int)key - 1, weight, dense);
            }
        }

        var counts = new ReadCounts(usable, missingLabel, nonFinite) { ZeroWeight = zeroWeight };
        ThrowIfUnusable(firstBad, row + 1, counts, plan);
        return counts;
    }

    // ML.NET's example weights are Single by convention; Double columns are read too.
    private static Func<float> WeightGetter(DataViewRow cursor, DataViewSchema.Column column)
    {
        if (column.Type == NumberDataViewType.Double)
        {
            var getter = cursor.GetGetter<double>(column);
            double value = 0;
            return () =>
            {
                getter(ref value);
                return (float)value;
            };
        }

        var single = cursor.GetGetter<float>(column);
        float weight = 0;
        return () =>
        {
            single(ref weight);
            return weight;
        };
    }

    private static void ThrowIfUnusable((string Column, long Row)? firstBad, long rows, ReadCounts counts, ReadPlan plan)
    {
        var (usable, missingLabel, nonFinite, role, labelColumn) = (counts.Rows, counts.MissingLabel, counts.NonFinite, plan.Role,
            plan.LabelColumn);
        if (firstBad is { } bad && !plan.DropNonFinite)
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
                $"The {role} data has no usable rows ({missingLabel} with a missing label, {nonFinite} with NaN/Inf features, " +
                    $"{counts.ZeroWeight} with weight 0). Check the data and the label column '{labelColumn}'.",
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
