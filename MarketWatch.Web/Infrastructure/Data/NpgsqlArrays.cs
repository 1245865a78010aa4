using Npgsql;
using NpgsqlTypes;

namespace MarketWatch.Web.Infrastructure.Data;

/// <summary>Set-based writes: one array parameter per column, unnested in SQL (<c>INSERT ... SELECT * FROM unnest(@a, @b)</c>).</summary>
public static class NpgsqlArrays
{
    public static void AddArray<TRow, TValue>(this NpgsqlParameterCollection parameters, string name, IEnumerable<TRow> rows,
        Func<TRow, TValue> value, NpgsqlDbType type) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type) { Value = rows.Select(value).ToArray() });
}
