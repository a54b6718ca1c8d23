using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.AspNetCore.Files;

/// <summary>
/// One row with the model's saved input schema, for running its featurizers on an upload: text columns hold the given
/// values (the uploaded files' paths), float vector columns the given vectors, and every other column its type's default
/// (an empty text, a NaN vector, a missing key), so a modality the request does not give is missing for the row.
/// </summary>
internal sealed class InputRowView : IDataView
{
    private static readonly MethodInfo DefaultOfType =
        typeof(InputRowView).GetMethod(nameof(Constant), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly Delegate[] getters;

    public InputRowView(DataViewSchema schema, IReadOnlyDictionary<string, string> texts, IReadOnlyDictionary<string, float[]> vectors)
    {
        Schema = schema;
        getters = schema.Select(column => Getter(column, texts, vectors)).ToArray();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => 1;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [new Cursor(this)];

    private static Delegate Getter(DataViewSchema.Column column, IReadOnlyDictionary<string, string> texts,
        IReadOnlyDictionary<string, float[]> vectors) => column.Type switch
        {
            TextDataViewType => Constant(texts.GetValueOrDefault(column.Name, "").AsMemory()),
            VectorDataViewType { ItemType: NumberDataViewType n, Size: > 0 } v when n == NumberDataViewType.Single =>
                Constant(new VBuffer<float>(v.Size,
                    vectors.GetValueOrDefault(column.Name) ?? Enumerable.Repeat(float.NaN, v.Size).ToArray())),
            NumberDataViewType n when n == NumberDataViewType.Single => Constant(float.NaN),
            VectorDataViewType v => (Delegate)DefaultOfType.MakeGenericMethod(v.RawType).Invoke(null, [EmptyVector(v)])!,
            _ => (Delegate)DefaultOfType.MakeGenericMethod(column.Type.RawType).Invoke(null,
                [column.Type.RawType.IsValueType ? Activator.CreateInstance(column.Type.RawType) : null])!,
        };

    // VBuffer<T> of the column's size with default items (its default value would have length 0).
    private static object EmptyVector(VectorDataViewType type) =>
        Activator.CreateInstance(type.RawType, type.Size, Array.CreateInstance(type.ItemType.RawType, type.Size), null)!;

    private static ValueGetter<T> Constant<T>(T value) => (ref T destination) => destination = value;

    private sealed class Cursor(InputRowView view) : DataViewRowCursor
    {
        private long position = -1;

        public override long Position => position;

        public override long Batch => 0;

        public override DataViewSchema Schema => view.Schema;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
            view.getters[column.Index] as ValueGetter<TValue> ?? throw new InvalidOperationException(
                $"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)position, 0);

        public override bool MoveNext() => ++position == 0;
    }
}
