# Creates Astro's two databases and one user for each, on the first start of an empty MySQL data
# directory. The mysql image's entrypoint sources *.sh files from /docker-entrypoint-initdb.d (this file
# is not executable on purpose), so docker_process_sql and mysql_note are at hand. Schema migrations
# then run in the services themselves (Flyway); they do not create the databases.
#
# Used by docker-compose.yml and the MySQL StatefulSet in k8s/base/infra. Needs:
#   USERS_DB_PASSWORD  password of user astro_users (user-service, database astro_users)
#   APPS_DB_PASSWORD   password of user astro_apps  (app-service,  database astro_apps)
# Passwords: letters, digits, '-' and '_' only (they are written into SQL).
#
# mysql_native_password: the services run their migrations over MariaDB Connector/J, which cannot do a
# caching_sha2_password full authentication over plain TCP without allowPublicKeyRetrieval (not set by
# DbSettings.jdbcUrl()). MySQL 8.4 loads that plugin only with --mysql-native-password=ON. See docs/deploy.md.

: "${USERS_DB_PASSWORD:?USERS_DB_PASSWORD must be set}"
: "${APPS_DB_PASSWORD:?APPS_DB_PASSWORD must be set}"
for astro_pw in "$USERS_DB_PASSWORD" "$APPS_DB_PASSWORD"; do
  case "$astro_pw" in
    *[!A-Za-z0-9_-]*) echo "USERS_DB_PASSWORD / APPS_DB_PASSWORD: use only letters, digits, '-' and '_'" >&2; exit 1 ;;
  esac
done
unset astro_pw

mysql_note "Astro: creating databases astro_users and astro_apps and their users"
docker_process_sql --database=mysql <<-EOSQL
	CREATE DATABASE IF NOT EXISTS astro_users CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
	CREATE DATABASE IF NOT EXISTS astro_apps CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
	CREATE USER IF NOT EXISTS 'astro_users'@'%' IDENTIFIED WITH mysql_native_password BY '${USERS_DB_PASSWORD}';
	CREATE USER IF NOT EXISTS 'astro_apps'@'%' IDENTIFIED WITH mysql_native_password BY '${APPS_DB_PASSWORD}';
	GRANT ALL PRIVILEGES ON astro_users.* TO 'astro_users'@'%';
	GRANT ALL PRIVILEGES ON astro_apps.* TO 'astro_apps'@'%';
	FLUSH PRIVILEGES;
EOSQL
