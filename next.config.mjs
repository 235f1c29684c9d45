/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // pg-boss, pino and nodemailer are Node libraries: load them from node_modules at run time.
  serverExternalPackages: ["pg-boss", "pino", "nodemailer", "pg", "@prisma/adapter-pg"],
};

export default nextConfig;
