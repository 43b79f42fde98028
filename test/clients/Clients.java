// JDBC (PostgreSQL driver, default settings) as a BI tool's reader: introspect
// with DatabaseMetaData, filter with setString, sort and read every view
// (test/scripts/clients.sh).
import java.sql.*;
import java.util.*;

public class Clients {
    static boolean ok = true;

    static void check(String what, boolean good, String detail) {
        System.out.printf("jdbc     %-28s %s %s%n", what, good ? "ok" : "FAILED", detail);
        ok &= good;
    }

    static List<Integer> key(String code) {
        List<Integer> k = new ArrayList<>();
        boolean annex = code.startsWith("A.");
        k.add(annex ? 1 : 0);
        for (String n : (annex ? code.substring(2) : code).split("\\.")) k.add(Integer.parseInt(n));
        return k;
    }

    static int compare(String a, String b) {
        List<Integer> x = key(a), y = key(b);
        for (int i = 0; i < Math.min(x.size(), y.size()); i++)
            if (!x.get(i).equals(y.get(i))) return Integer.compare(x.get(i), y.get(i));
        return Integer.compare(x.size(), y.size());
    }

    public static void main(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection(args[0], args[1], args[2])) {
            DatabaseMetaData md = c.getMetaData();
            List<String> views = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, "isms_report", "%", new String[] {"VIEW"})) {
                while (rs.next()) views.add(rs.getString("TABLE_NAME"));
            }
            check("getTables views", views.size() >= 9, views.toString());
            int columns = 0, other = 0, remarks = 0;
            try (ResultSet rs = md.getColumns(null, "isms_report", "%", "%")) {
                while (rs.next()) {
                    columns++;
                    // jsonb and interval are OTHER for JDBC; any other OTHER is a custom type
                    if (rs.getInt("DATA_TYPE") == Types.OTHER
                        && !Set.of("jsonb", "interval").contains(rs.getString("TYPE_NAME"))) other++;
                    if (rs.getString("REMARKS") != null) remarks++;
                }
            }
            check("getColumns typed, remarks", columns > 100 && other == 0 && remarks == columns,
                  columns + " columns, " + other + " of a custom type, " + remarks + " with remarks");
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT process_code FROM isms_report.process_status WHERE process_code = ?")) {
                ps.setString(1, "7.4");
                try (ResultSet rs = ps.executeQuery()) {
                    check("setString process_code = ?", rs.next() && rs.getString(1).equals("7.4") && !rs.next(), "");
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*) FROM isms_report.run_blockers WHERE run_state = ? AND process_code = ?")) {
                ps.setString(1, "planned");
                ps.setString(2, "7.4");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    check("setString run_state, code", rs.getLong(1) > 0, rs.getLong(1) + " rows");
                }
            }
            List<String> codes = new ArrayList<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT process_code FROM isms_report.process_status ORDER BY process_sort")) {
                while (rs.next()) codes.add(rs.getString(1));
            }
            List<String> sorted = new ArrayList<>(codes);
            sorted.sort(Clients::compare);
            check("sort by process_sort", codes.size() == 17 && codes.equals(sorted), String.join(" ", codes));
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT processes FROM isms_report.iso27001_readiness WHERE clause = ?")) {
                ps.setString(1, "6.1.2");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    String[] a = (String[]) rs.getArray(1).getArray();
                    check("getArray text[]", Arrays.asList(a).contains("7.4"), Arrays.toString(a));
                }
            }
            for (String v : views) {
                int n = 0;
                try (Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT * FROM isms_report." + v)) {
                    int k = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        n++;
                        for (int i = 1; i <= k; i++) rs.getObject(i);
                    }
                }
                check("read " + v, n > 0, n + " rows");
            }
        }
        System.exit(ok ? 0 : 1);
    }
}
