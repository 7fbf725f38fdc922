// Allure 3 configuration of the tsconform HTML report (used by `tsconform run`).
import { defineConfig } from "allure";

export default defineConfig({
  name: "tsconform conformance report",
  plugins: {
    awesome: {
      options: {
        reportName: "tsconform conformance report",
        groupBy: ["epic", "feature", "story"],
      },
    },
  },
});
