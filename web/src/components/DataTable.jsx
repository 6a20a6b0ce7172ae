/** A table with its caption and column headers (scope="col"); the first cell of each row is its
 * header (scope="row"). `columns` is [{key, label, render?(row)}]; `rowKey(row)` names a row;
 * `empty` is what shows in place of a table without rows. */
export function DataTable({ caption, columns, rows, rowKey, empty, id }) {
  if (!rows.length && empty) {
    return (
      <section aria-label={caption} id={id}>
        <h2 class="data-table-empty-caption">{caption}</h2>
        <p class="muted">{empty}</p>
      </section>
    );
  }
  return (
    <div class="data-table-wrap">
      <table class="data-table" id={id}>
        <caption>{caption}</caption>
        <thead>
          <tr>{columns.map((c) => <th key={c.key} scope="col">{c.label}</th>)}</tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c, i) => {
                const value = c.render ? c.render(row) : row[c.key];
                return i === 0 ? <th key={c.key} scope="row">{value}</th> : <td key={c.key}>{value}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
